//! One HTTP(S) GET for scrapes and HTTP checks, on hyper's HTTP/1 client over our own TCP
//! and rustls connection, so that the peer's leaf certificate (its expiry) can be read and
//! verification can be switched off for self-signed devices. The caller bounds the time.
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, OnceLock};
use tokio::io::{AsyncRead, AsyncWrite};

/// Bodies are read up to this size (a larger one fails).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// What came back.
pub struct Fetched {
    pub status: u16,
    pub body: Bytes,
    /// HTTPS: the leaf certificate's notAfter, Unix seconds.
    pub cert_not_after: Option<i64>,
}

/// GET `url` with extra request headers. `insecure`: accept any certificate.
pub async fn get(
    url: &str,
    headers: &[(String, String)],
    insecure: bool,
) -> Result<Fetched, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let host = uri
        .host()
        .ok_or("URL without a host")?
        .trim_matches(['[', ']'])
        .to_string();
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("URL must be http or https".into()),
    };
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let authority = uri.authority().map_or(host.clone(), |a| a.to_string());
    let req = build(&path, &authority, headers)?;
    if !https {
        let (status, body) = exchange(tcp, req).await?;
        return Ok(Fetched {
            status,
            body,
            cert_not_after: None,
        });
    }
    let name = ServerName::try_from(host.clone()).map_err(|e| format!("bad TLS name: {e}"))?;
    let tls = tokio_rustls::TlsConnector::from(tls_config(insecure))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS handshake: {e}"))?;
    let cert_not_after = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(|leaf| x509_parser::parse_x509_certificate(leaf).ok())
        .map(|(_, cert)| cert.validity().not_after.timestamp());
    let (status, body) = exchange(tls, req).await?;
    Ok(Fetched {
        status,
        body,
        cert_not_after,
    })
}

fn build(
    path: &str,
    authority: &str,
    headers: &[(String, String)],
) -> Result<hyper::Request<Empty<Bytes>>, String> {
    let mut b = hyper::Request::get(path)
        .header("host", authority)
        .header("user-agent", concat!("onestop/", env!("CARGO_PKG_VERSION")))
        .header("accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Empty::new())
        .map_err(|e| format!("bad request: {e}"))
}

async fn exchange<S>(io: S, req: hyper::Request<Empty<Bytes>>) -> Result<(u16, Bytes), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let driver = tokio::spawn(conn);
    let res = send
        .send_request(req)
        .await
        .map_err(|e| format!("HTTP: {e}"));
    let out = match res {
        Ok(res) => {
            let status = res.status().as_u16();
            Limited::new(res.into_body(), MAX_BODY)
                .collect()
                .await
                .map(|b| (status, b.to_bytes()))
                .map_err(|e| format!("reading the body: {e}"))
        }
        Err(e) => Err(e),
    };
    driver.abort();
    out
}

fn tls_config(insecure: bool) -> Arc<rustls::ClientConfig> {
    static VERIFYING: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    static INSECURE: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    let provider = || Arc::new(rustls::crypto::ring::default_provider());
    let builder = || {
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
    };
    if insecure {
        INSECURE
            .get_or_init(|| {
                let v = Arc::new(AnyCert(provider()));
                Arc::new(
                    builder()
                        .dangerous()
                        .with_custom_certificate_verifier(v)
                        .with_no_client_auth(),
                )
            })
            .clone()
    } else {
        VERIFYING
            .get_or_init(|| {
                let roots = rustls::RootCertStore::from_iter(
                    webpki_roots::TLS_SERVER_ROOTS.iter().cloned(),
                );
                Arc::new(
                    builder()
                        .with_root_certificates(roots)
                        .with_no_client_auth(),
                )
            })
            .clone()
    }
}

/// Accepts any certificate (still checking the handshake signatures), for devices with
/// self-signed certificates when a check says `insecure`.
#[derive(Debug)]
struct AnyCert(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
