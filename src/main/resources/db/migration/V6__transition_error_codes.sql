-- The error a transition into FAILED (or a refinement of one) recorded, so that a mirror can show
-- the errors of its transitions (mirror_state_transition_errors) with their codes.
alter table state_transitions add column error_code varchar(64);
