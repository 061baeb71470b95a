package io.clusterlink.store;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class SyncedAclRepository implements PanacheRepository<SyncedAclEntity> {

    public List<SyncedAclEntity> listByLink(long linkId) {
        return list("linkId = ?1 order by id", linkId);
    }
}
