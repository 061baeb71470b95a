package io.clusterlink.testing;

import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The service configured with {@link TestIssuer#mismatchedIssuer()}, whose discovery document names
 * another issuer. Its resource runs after {@link OidcIssuerResource} (a higher order), so its issuer wins.
 */
public class WithAMismatchedDiscoveryDocument implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("clusterlink.api.oidc.issuer", TestIssuer.get().mismatchedIssuer());
        }

        @Override
        public void stop() {
            // the issuer is shared by the JVM
        }

        @Override
        public int order() {
            return 100;
        }
    }
}
