package io.clusterlink.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The shared clusters, both destination clusters of the service ({@link SourceAsDestinationResource}):
 * the test classes with this profile share one application start of their own.
 */
public class WithTheSourceAsDestination implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SourceAsDestinationResource.class));
    }
}
