//! Keyed hashes: what the server stores instead of reader tokens and IP addresses.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::Db;

const DAY: u64 = 86_400;

/// Today, as whole days since the Unix epoch (UTC), and the seconds until tomorrow.
pub fn today() -> (i64, u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    ((now / DAY) as i64, DAY - now % DAY)
}

pub struct Secrets {
    reader_key: [u8; 32],
    avatar_key: [u8; 32],
    /// Signs form tokens and derives the edit tokens that an Idempotency-Key's replay gives back.
    form_key: [u8; 32],
    /// The key of the IP hashes of one day.
    daily: Mutex<Option<(i64, [u8; 32])>>,
}

fn random_key() -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    Ok(key)
}

/// The secret `name`, created at random the first time.
async fn stored_key(db: &Db, name: &str) -> anyhow::Result<[u8; 32]> {
    sqlx::query("INSERT INTO secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(random_key()?.to_vec())
        .execute(db)
        .await?;
    let (secret,): (Vec<u8>,) =
        sqlx::query_as("SELECT secret FROM secrets WHERE name = $1").bind(name).fetch_one(db).await?;
    secret.try_into().map_err(|_| anyhow::anyhow!("secret {name} is not 32 bytes"))
}

/// What is stored of a random token (an edit token): its SHA-256.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(key: &[u8; 32], value: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(value);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

impl Secrets {
    pub async fn load(db: &Db) -> anyhow::Result<Self> {
        Ok(Self {
            reader_key: stored_key(db, "reader").await?,
            avatar_key: stored_key(db, "avatar").await?,
            form_key: stored_key(db, "form").await?,
            daily: Mutex::new(None),
        })
    }

    /// The avatar seed of an email: keyed, so nobody can test an address against it.
    pub fn avatar(&self, email: &str) -> String {
        hash(&self.avatar_key, email.as_bytes())[..20].to_owned()
    }

    /// A fresh random token (hex) and the hash the server stores of it.
    pub fn new_token() -> anyhow::Result<(String, String)> {
        let token: String = random_key()?.iter().map(|b| format!("{b:02x}")).collect();
        let stored = token_hash(&token);
        Ok((token, stored))
    }

    /// A keyed hash of `message` with the form key (hex).
    pub fn sign(&self, message: &str) -> String {
        hash(&self.form_key, message.as_bytes())
    }

    /// The stored form of a reader token.
    pub fn reader_hash(&self, token: &str) -> String {
        hash(&self.reader_key, token.as_bytes())
    }

    /// The stored form of an IP address on `day`, with that day's key. Starting a new day
    /// deletes the keys and counts of days before yesterday.
    pub async fn ip_hash(&self, db: &Db, day: i64, ip: std::net::IpAddr) -> anyhow::Result<String> {
        let cached = *self.daily.lock().expect("secrets lock");
        let key = match cached {
            Some((d, key)) if d == day => key,
            _ => {
                let key = stored_key(db, &format!("day:{day}")).await?;
                sqlx::query("DELETE FROM secrets WHERE name LIKE 'day:%' AND CAST(substr(name, 5) AS INTEGER) < $1")
                    .bind(day - 1)
                    .execute(db)
                    .await?;
                sqlx::query("DELETE FROM rating_new_voters WHERE day < $1").bind(day - 1).execute(db).await?;
                *self.daily.lock().expect("secrets lock") = Some((day, key));
                key
            }
        };
        Ok(hash(&key, ip.to_string().as_bytes()))
    }
}
