//! A CONNECT proxy on loopback for tests: it tunnels every connection to one `target`
//! (whatever host the client asked for) and records the request line of each. Included by the
//! tests of `backup-runtime` and `backupctl` (`#[path]`).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Starts the proxy; returns its URL (`http://127.0.0.1:PORT`) and the request lines it got.
pub(crate) fn connect_proxy(target: SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || tunnel(client, target, &log));
        }
    });
    (format!("http://{address}"), seen)
}

/// One client: logs its request line, skips its headers, answers 200 and pipes both ways.
fn tunnel(client: TcpStream, target: SocketAddr, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().expect("clone"));
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    log.lock().expect("log").push(line.trim_end().to_owned());
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let Ok(upstream) = TcpStream::connect(target) else {
        return;
    };
    let mut client = client;
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut up_read, mut up_write) = (upstream.try_clone().expect("clone"), upstream);
    let mut down_write = client.try_clone().expect("clone");
    let pump = std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut up_write);
    });
    let _ = std::io::copy(&mut up_read, &mut down_write);
    let _ = pump.join();
}
