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
        } catch (Exception e) {
            // A conflict found at commit comes as the transaction's (checked) RollbackException,
            // with the persistence exception as its cause or suppressed.
            if (concurrentChange(e)) {
                throw new ClusterLinkException.Conflict("The link or mirror was changed concurrently (by another "
                        + "request or by the replication service); retry");
            }
            throw e;
        }
    }

    static boolean concurrentChange(Throwable e) {
        return concurrentChange(e, 0);
    }

    private static boolean concurrentChange(Throwable e, int depth) {
        if (e == null || depth > 10) {
            return false;
        }
        if (e instanceof OptimisticLockException || e instanceof StaleStateException) {
            return true;
        }
        for (Throwable suppressed : e.getSuppressed()) {
            if (concurrentChange(suppressed, depth + 1)) {
                return true;
            }
        }
        return e.getCause() != e && concurrentChange(e.getCause(), depth + 1);
    }
}
