package io.clusterlink.testing;

import java.util.LinkedHashSet;
import java.util.Set;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes REST Assured send the {@link TestUsers#OPERATOR} credentials (preemptive Basic) with every
 * request, so tests call the secured API without saying so each time; a test that needs other
 * credentials says {@code given().auth().none()} or {@code given().auth().preemptive().basic(...)}.
 * <p>
 * Registered for every test class through {@code META-INF/services/org.junit.jupiter.api.extension.Extension}
 * (Quarkus' JUnit configuration turns extension auto-detection on). A Quarkus test class runs in Quarkus'
 * class loader, which has its own copy of REST Assured: the default is set on the copy the test
 * class sees as well as on this one.
 */
public class OperatorByDefault implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        apply(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        apply(context);
    }

    private static void apply(ExtensionContext context) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        loaders.add(OperatorByDefault.class.getClassLoader());
        context.getTestClass().ifPresent(c -> loaders.add(c.getClassLoader()));
        for (ClassLoader loader : loaders) {
            try {
                Class<?> restAssured = Class.forName("io.restassured.RestAssured", true, loader);
                Object preemptive = restAssured.getMethod("preemptive").invoke(null);
                Object scheme = preemptive.getClass().getMethod("basic", String.class, String.class)
                        .invoke(preemptive, TestUsers.OPERATOR, TestUsers.OPERATOR_PASSWORD);
                restAssured.getField("authentication").set(null, scheme);
            } catch (ClassNotFoundException e) {
                // no REST Assured for this class: nothing to set
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot set REST Assured's default credentials", e);
            }
        }
    }
}
