//! Read connections, handed out without sqlx's pool.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::backend;
use crate::store::{StoreError, StoreResult};

/// Read connections, handed out without sqlx's pool: that pool pings every
/// connection when it comes back, a second round trip to the connection's
/// thread per query (a quarter of a cached read's CPU, measured). Handing a
/// connection back as it is is safe: sqlx's worker runs commands in order and
/// resets a statement whose rows were abandoned, so no read transaction is
/// left open.
pub(super) struct Readers {
    idle: std::sync::Mutex<Vec<SqliteConnection>>,
    /// One permit per idle connection.
    available: Semaphore,
}

/// A borrowed read connection, back in [`Readers`] when dropped.
pub(super) struct Reader<'a> {
    conn: Option<SqliteConnection>,
    readers: &'a Readers,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    pub(super) async fn open(options: &SqliteConnectOptions, count: usize) -> StoreResult<Self> {
        let mut idle = Vec::with_capacity(count);
        for _ in 0..count {
            idle.push(options.connect().await.map_err(backend)?);
        }
        Ok(Readers {
            idle: std::sync::Mutex::new(idle),
            available: Semaphore::new(count),
        })
    }

    pub(super) async fn get(&self) -> StoreResult<Reader<'_>> {
        let lost = || StoreError::Backend("no read connection is left".into());
        let permit = self.available.acquire().await.map_err(|_| lost())?;
        let conn = self
            .idle
            .lock()
            .map_err(|_| lost())?
            .pop()
            .ok_or_else(lost)?;
        Ok(Reader {
            conn: Some(conn),
            readers: self,
            _permit: permit,
        })
    }
}

impl Reader<'_> {
    pub(super) fn conn(&mut self) -> StoreResult<&mut SqliteConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Backend("the read connection is gone".into()))
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        // Back before the permit is released (fields drop after this).
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock()) {
            idle.push(conn);
        }
    }
}

/// Read connections: each has a thread of its own and reads of a cached
/// database are CPU-bound, so threads beyond twice the cores only add
/// context switches (measured on two cores: 4 did better than 8).
pub(super) fn read_connections() -> usize {
    let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
    (cores * 2).clamp(2, 8)
}
