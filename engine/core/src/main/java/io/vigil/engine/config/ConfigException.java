package io.vigil.engine.config;

/** A configuration a user wrote that vigil cannot use; the message names where and what. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
