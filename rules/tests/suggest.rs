//! Suggested egress: real-world configuration strings, each with the endpoint an
//! EgressPoint needs or the reason it needs none; credentials never come out.

use egress_rules::suggest::{Found, endpoints_in, read_workload, redacted};
use serde_json::json;
use std::collections::BTreeMap;

/// Every string and what it must read as: `host:port/PROTOCOL` (several joined by `,`),
/// `skip: <part of the reason>`, or `` for nothing.
const TABLE: &[(&str, &str)] = &[
    // HTTP(S) URLs.
    ("https://api.stripe.com/v1", "api.stripe.com:443/HTTPS"),
    ("https://api.stripe.com", "api.stripe.com:443/HTTPS"),
    ("https://API.Stripe.com:8443/v1/charges?limit=3", "api.stripe.com:8443/HTTPS"),
    ("http://example.com", "example.com:80/HTTP"),
    ("http://example.com:8080/health", "example.com:8080/HTTP"),
    ("https://user:s3cret@hooks.slack.com/services/T0/B0/X", "hooks.slack.com:443/HTTPS"),
    ("https://[2001:db8::1]:8443/", "2001:db8::1:8443/TCP"),
    ("https://93.184.216.34/", "93.184.216.34:443/TCP"),
    ("wss://stream.example.com/socket", "stream.example.com:443/HTTPS"),
    ("ws://stream.example.com:9000", "stream.example.com:9000/HTTP"),
    ("'https://quoted.example.com'", "quoted.example.com:443/HTTPS"),
    // PostgreSQL: server-first, TCP even with sslmode.
    ("postgres://orders-db.example.com/orders", "orders-db.example.com:5432/TCP"),
    (
        "postgresql://app:pw@orders-db.example.com:6432/orders?sslmode=require",
        "orders-db.example.com:6432/TCP",
    ),
    ("postgres://app@10.0.4.7:5432/db", "10.0.4.7:5432/TCP"),
    ("jdbc:postgresql://pg.example.com:5432/app", "pg.example.com:5432/TCP"),
    ("Host=pg.example.com;Port=5433;Database=app;Username=u;Password=p", "pg.example.com:5433/TCP"),
    ("Host=pg.example.com;Database=app", "pg.example.com:5432/TCP"),
    // MySQL.
    ("mysql://root:pw@mysql.example.com/shop", "mysql.example.com:3306/TCP"),
    ("mysql://mysql.example.com:3307", "mysql.example.com:3307/TCP"),
    ("jdbc:mysql://mysql.example.com:3306/shop?useSSL=true", "mysql.example.com:3306/TCP"),
    ("mariadb://maria.example.com/db", "maria.example.com:3306/TCP"),
    // SQL Server.
    (
        "jdbc:sqlserver://sql.example.com:1433;databaseName=app;encrypt=true",
        "sql.example.com:1433/TCP",
    ),
    (
        "Server=tcp:app.database.windows.net,1433;Initial Catalog=app;Password=x",
        "app.database.windows.net:1433/TCP",
    ),
    ("Server=sql.example.com;Database=app;User Id=u", "sql.example.com:1433/TCP"),
    // MongoDB.
    ("mongodb://mongo.example.com/app", "mongo.example.com:27017/TCP"),
    (
        "mongodb://u:p@m1.example.com:27017,m2.example.com:27018/app?replicaSet=rs0",
        "m1.example.com:27017/TCP,m2.example.com:27018/TCP",
    ),
    ("mongodb+srv://u:p@cluster0.abcde.mongodb.net/app", "skip: DNS SRV"),
    // Redis.
    ("redis://cache.example.com", "cache.example.com:6379/TCP"),
    ("redis://:pw@cache.example.com:6380/0", "cache.example.com:6380/TCP"),
    ("rediss://cache.example.com:6380", "cache.example.com:6380/TLS"),
    (
        "rediss://default:pw@redis-12345.c1.cloud.redislabs.com:12345",
        "redis-12345.c1.cloud.redislabs.com:12345/TLS",
    ),
    // AMQP.
    ("amqp://guest:guest@rabbit.example.com:5672/vhost", "rabbit.example.com:5672/TCP"),
    (
        "amqps://b-1234.mq.us-east-1.amazonaws.com:5671",
        "b-1234.mq.us-east-1.amazonaws.com:5671/TLS",
    ),
    ("amqps://mq.example.com", "mq.example.com:5671/TLS"),
    // Kafka bootstrap lists and plain host:port.
    (
        "b-1.kafka.example.com:9092,b-2.kafka.example.com:9092",
        "b-1.kafka.example.com:9092/TCP,b-2.kafka.example.com:9092/TCP",
    ),
    ("kafka://broker.example.com:9093", "broker.example.com:9093/TCP"),
    ("db.example.com:5432", "db.example.com:5432/TCP"),
    ("api.example.com:443", "api.example.com:443/HTTPS"),
    ("10.1.2.3:8443", "10.1.2.3:8443/TCP"),
    ("[2001:db8::5]:5432", "2001:db8::5:5432/TCP"),
    // SMTP: STARTTLS is server-first (TCP); smtps on 465 is TLS.
    ("smtp://smtp.sendgrid.net:587", "smtp.sendgrid.net:587/TCP"),
    ("smtp://mail.example.com", "mail.example.com:25/TCP"),
    ("smtps://smtp.gmail.com:465", "smtp.gmail.com:465/TLS"),
    // LDAP.
    ("ldap://ldap.example.com", "ldap.example.com:389/TCP"),
    ("ldaps://ldap.example.com", "ldap.example.com:636/TLS"),
    // Others.
    ("nats://nats.example.com", "nats.example.com:4222/TCP"),
    ("ftp://files.example.com", "files.example.com:21/TCP"),
    ("sftp://files.example.com:2222/in", "files.example.com:2222/TCP"),
    ("s3://my-bucket/path/file.csv", "s3.amazonaws.com:443/HTTPS"),
    (
        "https://my-bucket.s3.eu-west-1.amazonaws.com/key",
        "my-bucket.s3.eu-west-1.amazonaws.com:443/HTTPS",
    ),
    // In-cluster, loopback, metadata: skipped with the reason.
    ("http://orders.shop.svc.cluster.local:8080", "skip: in-cluster"),
    ("http://orders.shop.svc:8080/api", "skip: in-cluster"),
    ("redis://redis-master:6379", "skip: without a domain"),
    ("http://localhost:8080", "skip: loopback"),
    ("postgres://127.0.0.1:5432/db", "skip: loopback"),
    ("http://169.254.169.254/latest/meta-data/", "skip: link-local"),
    ("http://metadata.google.internal/computeMetadata/v1/", "skip: metadata"),
    ("http://[::1]:9090", "skip: loopback"),
    // Not endpoints.
    ("production", ""),
    ("true", ""),
    ("8080", ""),
    ("/var/run/app.sock", ""),
    ("--verbose", ""),
    ("a=b;c=d", ""),
    ("12:30", ""),
    ("urn:isbn:0451450523", ""),
    ("unknownscheme://host.example.com", ""),
];

fn said(found: &[Found]) -> String {
    if let [Found::Skipped { reason, .. }] = found {
        return format!("skip: {reason}");
    }
    found
        .iter()
        .map(|f| match f {
            Found::Endpoint { host, port, protocol, .. } => format!("{host}:{port}/{protocol}"),
            Found::Skipped { what, reason } => format!("skip {what}: {reason}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn every_shape_of_configuration_string_reads_as_its_endpoint_or_its_reason() {
    assert!(TABLE.len() >= 60, "{} strings", TABLE.len());
    let mut wrong = Vec::new();
    for (input, expected) in TABLE {
        let got = said(&endpoints_in(input));
        let ok = match expected.strip_prefix("skip: ") {
            Some(part) => got.starts_with("skip: ") && got.contains(part),
            None => got == *expected,
        };
        if !ok {
            wrong.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn credentials_never_come_out() {
    for (input, _) in TABLE {
        let shown = format!("{:?} {}", endpoints_in(input), redacted(input));
        for secret in
            ["s3cret", ":pw@", "guest:guest", "u:p@", "Password=p", "Password=x", "default:pw"]
        {
            assert!(!shown.contains(secret), "{secret} leaked from {input}: {shown}");
        }
    }
    assert_eq!(
        redacted("postgres://app:pw@db.example.com/orders"),
        "postgres://***@db.example.com/orders"
    );
    assert_eq!(redacted("Host=db;Password=hunter2;Token=abc"), "Host=db;Password=***;Token=***");
}

#[test]
fn a_deployment_reads_env_args_and_config_maps_never_secrets_and_proposes_one_egress_point() {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "checkout"},
        "spec": {"template": {"spec": {"containers": [{
            "name": "app",
            "env": [
                {"name": "STRIPE_URL", "value": "https://api.stripe.com/v1"},
                {"name": "DATABASE_URL", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "db"}}},
                {"name": "ORDERS", "value": "http://orders.shop.svc.cluster.local:8080"},
                {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "stripe", "key": "key"}}},
            ],
            "envFrom": [{"configMapRef": {"name": "cache"}}, {"secretRef": {"name": "db-credentials"}}],
            "args": ["--paypal=https://api.paypal.com", "--port", "8080"],
        }]}}}
    });
    let mut config_maps = BTreeMap::new();
    config_maps.insert(
        "app-config".to_owned(),
        json!({"db": "postgresql://app:pw@orders-db.example.com/orders?sslmode=require"}),
    );
    config_maps.insert(
        "cache".to_owned(),
        json!({"REDIS_URL": "rediss://cache.example.com:6380", "MODE": "fast"}),
    );
    let reading = read_workload(&deployment, &config_maps).unwrap();
    let found: Vec<String> = reading
        .suggestions
        .iter()
        .map(|s| format!("{}:{}/{} ({})", s.host, s.port, s.protocol, s.origin))
        .collect();
    assert_eq!(
        found,
        [
            "api.paypal.com:443/HTTPS (container app, args[0])",
            "api.stripe.com:443/HTTPS (container app, env STRIPE_URL)",
            "cache.example.com:6380/TLS (container app, ConfigMap cache key REDIS_URL)",
            "orders-db.example.com:5432/TCP (container app, env DATABASE_URL from ConfigMap app-config key db)",
        ]
    );
    assert_eq!(reading.skipped.len(), 1);
    assert!(reading.skipped[0].reason.contains("in-cluster"));
    let not_read: Vec<&str> = reading.not_read.iter().map(|n| n.why.as_str()).collect();
    assert!(not_read[0].starts_with("from Secret stripe (key key)"), "{not_read:?}");
    assert!(not_read[1].starts_with("every key of Secret db-credentials"), "{not_read:?}");
    assert!(!format!("{reading:?}").contains(":pw@"), "a credential leaked");

    let proposal = reading.proposal().unwrap();
    assert_eq!(proposal.name(), "checkout-egress");
    let report = egress_rules::validate(&proposal);
    assert!(!egress_rules::has_errors(&report), "the proposal breaks the rules: {report:?}");
    let targets: Vec<(Vec<String>, Option<i64>, String)> = proposal
        .spec
        .targets
        .iter()
        .map(|t| (t.hosts.clone(), t.port.number, t.port.protocol.clone()))
        .collect();
    assert_eq!(
        targets,
        [
            (
                vec!["api.paypal.com".to_owned(), "api.stripe.com".to_owned()],
                Some(443),
                "HTTPS".to_owned()
            ),
            (vec!["orders-db.example.com".to_owned()], Some(5432), "TCP".to_owned()),
            (vec!["cache.example.com".to_owned()], Some(6380), "TLS".to_owned()),
        ]
    );
}

#[test]
fn each_suggestion_says_whether_the_space_allows_it_already_or_conflicts() {
    use egress_rules::EgressPoint;
    use egress_rules::suggest::Standing;
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "checkout"},
    "spec": {"template": {"spec": {"containers": [{"name": "app", "env": [
        {"name": "A", "value": "https://api.stripe.com"},
        {"name": "B", "value": "rediss://cache.example.com:6379"},
        {"name": "C", "value": "https://new.example.com"},
    ]}]}}}});
    let reading = read_workload(&deployment, &BTreeMap::new()).unwrap();
    let space = [
        EgressPoint::new("shared").with_target(&["api.stripe.com"], 443, "TCP"),
        EgressPoint::new("cache").with_source_ref("Deployment", "apps", "search").with_target(
            &["cache.example.com"],
            6379,
            "TCP",
        ),
    ];
    assert_eq!(
        reading.against_space(&space),
        [
            Standing::Allowed { by: vec!["shared".into()] },
            Standing::Conflicting { with: "cache".into(), protocol: egress_rules::Protocol::Tcp },
            Standing::New,
        ]
    );
}

#[test]
fn the_config_maps_a_workload_references_are_named_once() {
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
        "spec": {"template": {"spec": {"containers": [{"name": "a",
            "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "one", "key": "x"}}},
                    {"name": "Y", "valueFrom": {"secretKeyRef": {"name": "secret", "key": "y"}}}],
            "envFrom": [{"configMapRef": {"name": "two"}}, {"configMapRef": {"name": "one"}}]}]}}}});
    assert_eq!(egress_rules::suggest::config_maps_referenced(&deployment), ["one", "two"]);
}
