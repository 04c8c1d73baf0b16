package io.corc.api;

/** SSH key algorithms corc generates. */
public enum KeyType {
    ED25519,
    RSA
}
