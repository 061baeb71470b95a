package io.clusterlink.store;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Store methods whose concurrent-change failures (an optimistic lock, a row changed or gone under
 * a transaction) reach callers as {@code ClusterLinkException.Conflict} (409, "retry"), also when
 * they surface at commit.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface TranslatesConflicts {
}
