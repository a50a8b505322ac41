//! The subcommands, one module each: every module's `run` takes its parsed arguments and
//! returns the exit status. What several commands share lives in `common`.

pub(crate) mod collect;
pub(crate) mod common;
pub(crate) mod frameworks;
pub(crate) mod invoice;
pub(crate) mod listen;
pub(crate) mod migrate;
pub(crate) mod plugin;
pub(crate) mod plugins;
pub(crate) mod report;
pub(crate) mod scan;
pub(crate) mod serve;
pub(crate) mod worker;
