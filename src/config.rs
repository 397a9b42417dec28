//! The configuration file, `quarry.toml`: looked up in the current
//! directory, then in the user's configuration directory
//! (`$XDG_CONFIG_HOME/quarry/quarry.toml` on Linux). `QUARRY_CONFIG` names
//! another file (empty: none). Flags beat environment variables, which
//! beat the file, which beats the defaults.
//!
//! ```toml
//! corpus = "~/reading"          # --corpus
//! index = "~/.quarry"           # --index
//! include = ["**/*.md"]         # only these files (globs on path keys)
//! exclude = ["drafts/**"]       # never these (also: .quarryignore in the corpus)
//! language = "english"          # the analyzer (english only, for now)
//! limit = 20                    # search --limit
//! color = "never"               # --color
//! [passage]                     # passage size bounds, in words
//! min = 40
//! target = 120
//! max = 200
//! ```

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The file's contents; every key is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub corpus: Option<PathBuf>,
    pub index: Option<PathBuf>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub language: Option<String>,
    pub limit: Option<usize>,
    pub color: Option<String>,
    pub passage: Option<PassageBounds>,
}

/// `[passage]`: size bounds in words.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassageBounds {
    pub min: usize,
    pub target: usize,
    pub max: usize,
}

/// The configuration in effect.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    pub values: ConfigFile,
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(&'static str),
    Config(PathBuf),
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => write!(f, "command line"),
            Origin::Env(var) => write!(f, "environment ({var})"),
            Origin::Config(path) => write!(f, "config file ({})", path.display()),
            Origin::Default => write!(f, "default"),
        }
    }
}

impl Config {
    /// Finds and reads the configuration file.
    pub fn load() -> Result<Config> {
        let Some(file) = find() else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let values: ConfigFile = toml::from_str(&text).map_err(|e| Error::Config {
            path: file.clone(),
            reason: describe(&e, &text),
        })?;
        if let Some(language) = &values.language
            && !language.eq_ignore_ascii_case("english")
        {
            return Err(Error::Config {
                path: file,
                reason: format!("language '{language}' is not supported (english)"),
            });
        }
        Ok(Config {
            file: Some(file),
            values,
        })
    }

    /// Picks a setting: the flag or environment value when given there,
    /// else the file's, else the default (`given`, which clap filled in).
    pub fn pick<T>(
        &self,
        matches: Option<&ArgMatches>,
        id: &str,
        env: &'static str,
        given: T,
        from_file: Option<T>,
    ) -> (T, Origin) {
        match matches.and_then(|m| m.value_source(id)) {
            Some(ValueSource::CommandLine) => (given, Origin::Flag),
            Some(ValueSource::EnvVariable) => (given, Origin::Env(env)),
            _ => match (from_file, &self.file) {
                (Some(value), Some(file)) => (value, Origin::Config(file.clone())),
                _ => (given, Origin::Default),
            },
        }
    }
}

/// A TOML error on one line: what is wrong, and where (line and key).
fn describe(e: &toml::de::Error, text: &str) -> String {
    let mut reason = e.message().replace('\n', " ");
    if let Some(span) = e.span() {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        let source = text.lines().nth(line - 1).unwrap_or("").trim();
        reason = format!("line {line} ({source}): {reason}");
    }
    reason
}

/// `QUARRY_CONFIG`, else `./quarry.toml`, else the user configuration one.
fn find() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("QUARRY_CONFIG") {
        return (!named.is_empty()).then(|| PathBuf::from(named));
    }
    let local = Path::new("quarry.toml");
    if local.is_file() {
        return Some(local.to_path_buf());
    }
    use etcetera::BaseStrategy;
    let user = etcetera::choose_base_strategy()
        .ok()?
        .config_dir()
        .join("quarry")
        .join("quarry.toml");
    user.is_file().then_some(user)
}

/// Expands a leading `~/` to the home directory.
pub fn expand_home(path: &Path) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => {
            etcetera::home_dir().map_or_else(|_| path.to_path_buf(), |home| home.join(rest))
        }
        Err(_) => path.to_path_buf(),
    }
}
