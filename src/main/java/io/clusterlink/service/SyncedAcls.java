package io.clusterlink.service;

import java.util.Collection;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.acl.AclBinding;

import io.clusterlink.store.SyncedAclStore;

/** The ACL bindings each link created on its destination: what ACL sync may delete again. */
@ApplicationScoped
public class SyncedAcls {

    private final SyncedAclStore store;

    SyncedAcls(SyncedAclStore store) {
        this.store = store;
    }

    /** The bindings the link created and has not deleted again. */
    public Set<AclBinding> owned(long linkId) {
        return store.owned(linkId);
    }

    /** Records bindings as created by the link, before they are created. */
    public void own(long linkId, Collection<AclBinding> bindings) {
        store.own(linkId, bindings);
    }

    /** Forgets bindings of the link once they are deleted, or were refused. */
    public void disown(long linkId, Collection<AclBinding> bindings) {
        store.disown(linkId, bindings);
    }
}
