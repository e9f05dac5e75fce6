//! Components shared by every capability.

pub mod button;
pub mod form;
pub mod format;
pub mod layout;
pub mod load;
pub mod pager;
pub mod table;
