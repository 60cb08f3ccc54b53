#include "net/CertificateVerifier.h"

#include <vmime/security/cert/certificateChain.hpp>
#include <vmime/security/cert/certificateNotTrustedException.hpp>

#include <QDateTime>
#include <QFileInfo>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <memory>

namespace heron::net {

namespace {
QString toHex(const unsigned char *p, size_t n)
{
    QString s;
    for (size_t i = 0; i < n; ++i) {
        if (i) s += QLatin1Char(':');
        s += QString::asprintf("%02X", p[i]);
    }
    return s;
}

QString dn(gnutls_x509_crt_t crt, bool issuer)
{
    gnutls_datum_t d{nullptr, 0};
    int rc = issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) : gnutls_x509_crt_get_dn3(crt, &d, 0);
    if (rc < 0) return QString();
    QString s = QString::fromUtf8(reinterpret_cast<const char *>(d.data), int(d.size));
    gnutls_free(d.data);
    return s;
}
} // namespace

CertificateVerifier::CertificateVerifier(TrustPolicy policy, QString host, int port)
    : m_policy(std::move(policy)), m_host(std::move(host)), m_port(port) {}

CertificateInfo CertificateVerifier::check(const std::vector<QByteArray> &derChain, const QString &host, int port,
                                           const TrustPolicy &policy, bool *trusted)
{
    *trusted = false;
    CertificateInfo info;
    info.host = host;
    info.port = port;
    if (derChain.empty()) {
        info.reason = QStringLiteral("the server sent no certificate");
        return info;
    }
    std::vector<gnutls_x509_crt_t> crts;
    auto cleanup = [&] { for (auto c : crts) gnutls_x509_crt_deinit(c); };
    for (const QByteArray &der : derChain) {
        gnutls_x509_crt_t c;
        gnutls_x509_crt_init(&c);
        gnutls_datum_t d{reinterpret_cast<unsigned char *>(const_cast<char *>(der.constData())), unsigned(der.size())};
        if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(c);
            cleanup();
            info.reason = QStringLiteral("the server's certificate could not be decoded");
            return info;
        }
        crts.push_back(c);
    }
    gnutls_x509_crt_t leaf = crts.front();
    info.subject = dn(leaf, false);
    info.issuer = dn(leaf, true);
    info.notBefore = QDateTime::fromSecsSinceEpoch(gnutls_x509_crt_get_activation_time(leaf), Qt::UTC).toString(Qt::ISODate);
    info.notAfter = QDateTime::fromSecsSinceEpoch(gnutls_x509_crt_get_expiration_time(leaf), Qt::UTC).toString(Qt::ISODate);
    unsigned char digest[32];
    size_t dlen = sizeof digest;
    if (gnutls_x509_crt_get_fingerprint(leaf, GNUTLS_DIG_SHA256, digest, &dlen) == 0)
        info.sha256 = toHex(digest, dlen);

    gnutls_x509_trust_list_t list;
    gnutls_x509_trust_list_init(&list, 0);
    gnutls_x509_trust_list_add_system_trust(list, 0, 0);
    if (!policy.extraAnchorsFile.isEmpty() && QFileInfo::exists(policy.extraAnchorsFile)) {
        QByteArray f = policy.extraAnchorsFile.toLocal8Bit();
        gnutls_x509_trust_list_add_trust_file(list, f.constData(), nullptr, GNUTLS_X509_FMT_PEM, 0, 0);
    }

    QByteArray hostUtf8 = host.toUtf8();
    unsigned char ip[16];
    std::vector<gnutls_typed_vdata_st> vdata;
    if (inet_pton(AF_INET, hostUtf8.constData(), ip) == 1)
        vdata.push_back({GNUTLS_DT_IP_ADDRESS, ip, 4});
    else if (inet_pton(AF_INET6, hostUtf8.constData(), ip) == 1)
        vdata.push_back({GNUTLS_DT_IP_ADDRESS, ip, 16});
    else
        vdata.push_back({GNUTLS_DT_DNS_HOSTNAME, reinterpret_cast<unsigned char *>(hostUtf8.data()), 0});
    vdata.push_back({GNUTLS_DT_KEY_PURPOSE_OID, reinterpret_cast<unsigned char *>(const_cast<char *>(GNUTLS_KP_TLS_WWW_SERVER)), 0});

    unsigned status = 0;
    int rc = gnutls_x509_trust_list_verify_crt2(list, crts.data(), unsigned(crts.size()), vdata.data(),
                                                unsigned(vdata.size()), 0, &status, nullptr);
    gnutls_x509_trust_list_deinit(list, 1);
    cleanup();

    if (rc == 0 && status == 0) {
        *trusted = true;
        return info;
    }
    if (rc < 0) {
        info.reason = QString::fromUtf8(gnutls_strerror(rc));
    } else {
        gnutls_datum_t out{nullptr, 0};
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0);
        info.reason = QString::fromUtf8(reinterpret_cast<const char *>(out.data), int(out.size));
        gnutls_free(out.data);
    }
    if (policy.isPinned && !info.sha256.isEmpty() && policy.isPinned(host, port, info.sha256))
        *trusted = true;
    if (!*trusted && policy.pinnedFingerprint) {
        // A pin is for one certificate: a new one asks again, saying so.
        const QString before = policy.pinnedFingerprint(host, port);
        if (!before.isEmpty() && before != info.sha256) {
            info.pinnedSha256 = before;
            info.reason = QStringLiteral("The certificate of %1:%2 changed since you trusted it. %3").arg(host).arg(port).arg(info.reason);
        }
    }
    return info;
}

void CertificateVerifier::verify(vmime::shared_ptr<vmime::security::cert::certificateChain> chain,
                                 const vmime::string &hostname)
{
    std::vector<QByteArray> der;
    for (size_t i = 0; i < chain->getCount(); ++i) {
        vmime::byteArray b = chain->getAt(i)->getEncoded();
        der.emplace_back(reinterpret_cast<const char *>(b.data()), qsizetype(b.size()));
    }
    // Verify against the name the user configured, not whatever vmime passes.
    bool trusted = false;
    CertificateInfo info = check(der, m_host.isEmpty() ? QString::fromStdString(hostname) : m_host, m_port,
                                 m_policy, &trusted);
    if (!trusted) {
        m_problem = info;
        throw vmime::security::cert::certificateNotTrustedException();
    }
}

} // namespace heron::net
