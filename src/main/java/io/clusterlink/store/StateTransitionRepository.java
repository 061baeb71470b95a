package io.clusterlink.store;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class StateTransitionRepository implements PanacheRepository<StateTransitionEntity> {
}
