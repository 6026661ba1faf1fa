//! Test support for the console: a WebDriver client for the browser tests.

pub mod webdriver;
