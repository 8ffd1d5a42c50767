//! Performance maths over one series, pure: summaries (average, peak, 95th percentile, a
//! least-squares trend line) and forecasts of when a series reaches a limit — linear, and
//! seasonal-aware (the trend plus a daily or weekly profile of what is left over). Used by the
//! performance check and by the disk-full forecast rule; time is always an argument.
mod fit;
mod forecast;

pub use fit::{Fit, Summary, linear_fit, percentile, summarize};
pub use forecast::{Forecast, forecast_linear, forecast_seasonal};
