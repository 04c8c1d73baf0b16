package io.corc.api;

/** Builds an {@link Authenticator}. Registered in {@code META-INF/services/io.corc.api.AuthenticatorFactory}. */
public interface AuthenticatorFactory extends PluginFactory {
    Authenticator create(PluginContext context);
}
