package io.sluice.config;

/** A PROXY protocol version (HAProxy's specification): none, the text form v1 or the binary form v2. */
public enum ProxyVersion {
    NONE, V1, V2
}
