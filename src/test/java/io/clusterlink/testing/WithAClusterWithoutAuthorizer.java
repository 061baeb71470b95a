package io.clusterlink.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The shared clusters plus {@link NoAuthorizerClusterResource} (a second destination cluster,
 * "plain"): the test classes with this profile share one application start of their own.
 */
public class WithAClusterWithoutAuthorizer implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(NoAuthorizerClusterResource.class));
    }
}
