//! One schedule: run a scenario on the simulated kernel under a scheduling policy.
