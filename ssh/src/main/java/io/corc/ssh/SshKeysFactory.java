package io.corc.ssh;

import io.corc.api.Authenticator;
import io.corc.api.AuthenticatorFactory;
import io.corc.api.PluginContext;

/** The {@code ssh} authenticator: corc's key pairs and authorized keys on resources. */
public final class SshKeysFactory implements AuthenticatorFactory {
    @Override
    public String name() {
        return "ssh";
    }

    @Override
    public String description() {
        return "SSH key pairs in <corc home>/ssh, authorized on resources over SSH";
    }

    @Override
    public Authenticator create(PluginContext context) {
        return new SshKeys(context.home(), context.config());
    }
}
