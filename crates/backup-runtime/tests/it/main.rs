//! The one integration-test binary of `backup-runtime`: value types, sans-IO helpers and,
//! with their features, both clients against a local mock server.

mod sans_io;
mod support;
mod values;

#[cfg(feature = "blocking")]
mod blocking;
#[cfg(any(feature = "blocking", feature = "async"))]
mod gateway;
#[cfg(any(feature = "blocking", feature = "async"))]
mod login;
#[cfg(feature = "async")]
mod nonblocking;
#[cfg(any(feature = "blocking", feature = "async"))]
mod proxy;
#[cfg(any(feature = "blocking", feature = "async"))]
mod tls;
