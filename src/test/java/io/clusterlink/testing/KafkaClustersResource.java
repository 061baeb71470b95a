package io.clusterlink.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the service under test at the shared {@link KafkaClusters}: their destination is the
 * service's default cluster {@code destination}.
 * <p>
 * Quarkus 3.32 offers two ways to apply it to every Quarkus test, so that they all share one
 * application start: {@code @QuarkusTestResource(KafkaClustersResource.class)} (its
 * {@code restrictToAnnotatedClass} defaults to {@code false}), or
 * {@code @WithTestResource(value = KafkaClustersResource.class, scope = TestResourceScope.GLOBAL)}
 * ({@code @WithTestResource} has no {@code restrictToAnnotatedClass}; its default scope,
 * {@code MATCHING_RESOURCES}, restarts the application for test classes with other resources).
 * The clusters live for the whole JVM, so {@link #stop()} leaves them running.
 */
public class KafkaClustersResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaClusters clusters = KafkaClusters.get();
        return Map.of(
                "clusterlink.clusters.destination.bootstrap-servers", clusters.destination().bootstrapServers(),
                "clusterlink.default-cluster", "destination");
    }

    @Override
    public void stop() {
        // The clusters are shared by every test class and stop when the JVM exits.
    }
}
