package io.clusterlink.testing;

import java.util.Set;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Leaves the service as a test found it: reads the default cluster's links before each test and
 * deletes (with their mirrors) those the test added. Register it on a field:
 * {@code @RegisterExtension final LinkCleanup links = new LinkCleanup();}
 */
public final class LinkCleanup implements BeforeEachCallback, AfterEachCallback {

    private Set<String> before = Set.of();

    @Override
    public void beforeEach(ExtensionContext context) {
        before = ClusterLinkApi.linkNames();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ClusterLinkApi.deleteLinksOtherThan(before);
    }
}
