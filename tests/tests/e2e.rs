//! End-to-end tests. One test binary (each links the whole stack); scenarios are modules.

mod e2e {
    pub mod cli;
    pub mod generator;
    pub mod generator_files;
    pub mod template;
}
