//! Where things are and what the light is like there. Pure: no I/O, no clock.
//!
//! - [`Point`]: a validated latitude and longitude, and the great-circle distance
//!   between two of them.
//! - [`cells`]: geo cells, so a search for photographers whose service area covers a
//!   point reads a few designed keys (one per level) instead of scanning.
//! - [`daylight`]: for a local calendar date at a point, sunrise, sunset and the golden
//!   and blue hours, as the `astral` Python package defines them (golden hour while the
//!   sun's apparent elevation is between −4° and +6°, blue hour between −6° and −4°),
//!   computed with NREL's Solar Position Algorithm (the `solar-positioning` crate).

pub mod cells;
mod point;
mod sun;

pub use point::{EARTH_RADIUS_KM, Point};
pub use sun::{Daylight, DaylightView, Pair, Polar, Window, WindowView, daylight};
