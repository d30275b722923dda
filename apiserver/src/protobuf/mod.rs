//! Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl
//! sends for built-in kinds: `kubectl create namespace|deployment|configmap|secret|service`
//! and `kubectl auth can-i` (the self reviews). A body is the magic `k8s\0` and a
//! `runtime.Unknown` whose `raw` field holds the message; each is read into the same JSON a
//! JSON client would have sent. Field numbers are those of `k8s.io/api`'s generated.proto
//! (`objects.rs` has the messages read).

mod objects;

pub use objects::object;

use crate::request::Review;
use crate::status::{StatusError, StatusResult};
use serde_json::{Map, Value, json};

/// The protobuf envelope's magic number.
const MAGIC: &[u8] = b"k8s\0";

/// One field of a message: its number and its bytes (length-delimited fields) or its value
/// (varints; fixed-width fields as their bits).
struct Field<'a> {
    number: u64,
    bytes: Option<&'a [u8]>,
    value: u64,
}

fn varint(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The fields of one message, in order; None when it is not well-formed protobuf.
fn fields(data: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let key = varint(data, &mut at)?;
        let (number, wire) = (key >> 3, key & 7);
        let mut value = 0;
        let bytes = match wire {
            0 => {
                value = varint(data, &mut at)?;
                None
            }
            1 => {
                let end = at.checked_add(8).filter(|a| *a <= data.len())?;
                value = u64::from_le_bytes(data[at..end].try_into().ok()?);
                at = end;
                None
            }
            2 => {
                let length = usize::try_from(varint(data, &mut at)?).ok()?;
                let end = at.checked_add(length).filter(|e| *e <= data.len())?;
                let bytes = &data[at..end];
                at = end;
                Some(bytes)
            }
            5 => {
                let end = at.checked_add(4).filter(|a| *a <= data.len())?;
                value = u64::from(u32::from_le_bytes(data[at..end].try_into().ok()?));
                at = end;
                None
            }
            _ => return None,
        };
        out.push(Field { number, bytes, value });
    }
    Some(out)
}

/// The message of field `number`, or an empty one.
fn message<'a>(fields: &[Field<'a>], number: u64) -> &'a [u8] {
    fields.iter().rev().find(|f| f.number == number).and_then(|f| f.bytes).unwrap_or_default()
}

/// The string fields of a message, by name.
fn strings(data: &[u8], names: &[(u64, &str)]) -> Option<Map<String, Value>> {
    let fields = fields(data)?;
    let mut out = Map::new();
    for (number, name) in names {
        if let Some(bytes) = fields.iter().rev().find(|f| f.number == *number).and_then(|f| f.bytes)
        {
            out.insert((*name).to_owned(), String::from_utf8_lossy(bytes).into_owned().into());
        }
    }
    Some(out)
}

/// A self review sent as protobuf, as the JSON object a JSON client would send.
pub fn review(review: Review, body: &[u8]) -> StatusResult<Value> {
    let unreadable = || StatusError::bad_request("the protobuf body could not be decoded");
    let envelope = body.strip_prefix(MAGIC).ok_or_else(unreadable)?;
    let unknown = fields(envelope).ok_or_else(unreadable)?;
    let object = fields(message(&unknown, 2)).ok_or_else(unreadable)?;
    let spec = message(&object, 2);
    Ok(match review {
        Review::Access => {
            let spec_fields = fields(spec).ok_or_else(unreadable)?;
            let resource = message(&spec_fields, 1);
            let non_resource = message(&spec_fields, 2);
            let mut spec = Map::new();
            if !resource.is_empty() {
                let names = [
                    (1, "namespace"),
                    (2, "verb"),
                    (3, "group"),
                    (4, "version"),
                    (5, "resource"),
                    (6, "subresource"),
                    (7, "name"),
                ];
                spec.insert(
                    "resourceAttributes".into(),
                    strings(resource, &names).ok_or_else(unreadable)?.into(),
                );
            }
            if !non_resource.is_empty() {
                let names = [(1, "path"), (2, "verb")];
                spec.insert(
                    "nonResourceAttributes".into(),
                    strings(non_resource, &names).ok_or_else(unreadable)?.into(),
                );
            }
            json!({"spec": spec})
        }
        Review::Rules => {
            json!({"spec": strings(spec, &[(1, "namespace")]).ok_or_else(unreadable)?})
        }
        Review::Subject => json!({}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u8, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, u8::try_from(bytes.len()).unwrap()];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn an_access_review_reads_as_its_json() {
        let attributes = [
            field(1, b"storefront"),
            field(2, b"create"),
            field(3, b"networking.tanzu.vmware.com"),
            field(5, b"egresspoints"),
        ]
        .concat();
        let spec = field(1, &attributes);
        let object = [field(1, b""), field(2, &spec)].concat();
        let body = [MAGIC.to_vec(), field(1, b""), field(2, &object)].concat();
        let value = review(Review::Access, &body).unwrap();
        assert_eq!(
            value,
            json!({"spec": {"resourceAttributes": {"namespace": "storefront", "verb": "create",
                "group": "networking.tanzu.vmware.com", "resource": "egresspoints"}}})
        );
        assert!(review(Review::Access, b"k8s\0\xff\xff").is_err());
        assert!(review(Review::Access, b"{}").is_err());
    }
}
