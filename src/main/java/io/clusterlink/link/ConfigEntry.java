package io.clusterlink.link;

/** One link config as shown: sensitive values are always {@code null}. */
public record ConfigEntry(String name, String value, boolean isDefault, boolean isReadOnly, boolean isSensitive) {
}
