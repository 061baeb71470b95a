package io.clusterlink.store;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.persistence.OptimisticLockException;

import org.hibernate.StaleStateException;

import io.clusterlink.link.ClusterLinkException;

/**
 * Turns a concurrent change into a conflict the caller can retry. Runs outside the transaction
 * interceptor, so a conflict found at commit is translated too.
 */
@TranslatesConflicts
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class ConflictTranslator {

    @AroundInvoke
    Object translate(InvocationContext context) throws Exception {
        try {
            return context.proceed();
        } catch (RuntimeException e) {
            if (concurrentChange(e)) {
                throw new ClusterLinkException.Conflict("The link or mirror was changed concurrently (by another "
                        + "request or by the replication service); retry");
            }
            throw e;
        }
    }

    static boolean concurrentChange(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
                return true;
            }
        }
        return false;
    }
}
