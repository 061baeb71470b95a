package io.clusterlink.link;

/**
 * How a mirror stops: {@code PROMOTE} copies up to the stop offsets taken at the request,
 * {@code FAILOVER} stops where the mirror is. {@code NONE} until a stop is requested.
 */
public enum StopMode {
    NONE,
    PROMOTE,
    FAILOVER
}
