package io.clusterlink.store;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACL bindings each link created on its destination cluster: the only ones ACL sync may
 * delete. The rows are deleted with their link (the destination ACLs stay).
 */
@ApplicationScoped
public class SyncedAclStore {

    private final SyncedAclRepository repository;
    private final Clock clock = Clock.systemUTC();

    SyncedAclStore(SyncedAclRepository repository) {
        this.repository = repository;
    }

    /** The bindings the link created and has not deleted again. */
    @Transactional
    public Set<AclBinding> owned(long linkId) {
        Set<AclBinding> owned = new LinkedHashSet<>();
        for (SyncedAclEntity e : repository.listByLink(linkId)) {
            owned.add(toBinding(e));
        }
        return owned;
    }

    /** Records bindings as created by the link; ones already recorded stay as they are. */
    @Transactional
    public void own(long linkId, Collection<AclBinding> bindings) {
        Set<AclBinding> owned = owned(linkId);
        for (AclBinding binding : bindings) {
            if (owned.add(binding)) {
                repository.persist(toEntity(linkId, binding));
            }
        }
    }

    /** Forgets bindings of the link, e.g. once they are deleted from the destination. */
    @Transactional
    public void disown(long linkId, Collection<AclBinding> bindings) {
        Set<AclBinding> gone = Set.copyOf(bindings);
        for (SyncedAclEntity e : repository.listByLink(linkId)) {
            if (gone.contains(toBinding(e))) {
                repository.delete(e);
            }
        }
    }

    private SyncedAclEntity toEntity(long linkId, AclBinding binding) {
        SyncedAclEntity e = new SyncedAclEntity();
        e.linkId = linkId;
        e.resourceType = binding.pattern().resourceType().name();
        e.resourceName = binding.pattern().name();
        e.patternType = binding.pattern().patternType().name();
        e.principal = binding.entry().principal();
        e.host = binding.entry().host();
        e.operation = binding.entry().operation().name();
        e.permissionType = binding.entry().permissionType().name();
        e.createdAt = clock.instant();
        return e;
    }

    private static AclBinding toBinding(SyncedAclEntity e) {
        return new AclBinding(
                new ResourcePattern(ResourceType.valueOf(e.resourceType), e.resourceName,
                        PatternType.valueOf(e.patternType)),
                new AccessControlEntry(e.principal, e.host, AclOperation.valueOf(e.operation),
                        AclPermissionType.valueOf(e.permissionType)));
    }
}
