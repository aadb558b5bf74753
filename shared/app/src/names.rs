//! The other party's name beside its id, in answers that otherwise name the parties of a
//! booking by id only (the payment history, a booking's page): a client reads the
//! photographer's public display name, a photographer the name of the client who booked
//! them, an admin both. `null` when there is none to show (the account or profile is
//! gone, or deactivated); never an email or a phone number. Looked up per answer with
//! one BatchGetItem for every party on it (`cm_store::names`), never per record.

use cm_booking::Actor;
use cm_core::UserId;
use cm_payments::view::Reader;
use cm_store::names::PartyNames;
use cm_store::{NameReader, StoreError};
use serde::Serialize;

/// `inner` with the names its reader sees. A member is left out for a reader who is not
/// shown that party's id either, and is `null` when there is no name to show.
#[derive(Debug, Serialize)]
pub struct Named<T> {
    #[serde(flatten)]
    pub inner: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photographer_name: Option<Option<String>>,
}

/// How a party of a booking reads it (`Booking::party_of`); anyone else who may read
/// it at all is an admin.
pub fn reader_of(actor: Actor) -> Reader {
    match actor {
        Actor::Client => Reader::Client,
        Actor::Photographer => Reader::Photographer,
        Actor::Admin | Actor::System => Reader::Admin,
    }
}

fn sees_clients(reader: Reader) -> bool {
    reader != Reader::Client
}

fn sees_photographers(reader: Reader) -> bool {
    reader != Reader::Photographer
}

/// The names of every party a reader sees on one answer.
#[derive(Debug)]
pub struct Parties {
    reader: Reader,
    names: PartyNames,
}

impl Parties {
    /// Looks up, for `reader`, the names of the parties of each (client, photographer)
    /// pair: one store call, none when the reader sees no names or there are no pairs.
    pub async fn of<S: NameReader>(
        store: &S,
        reader: Reader,
        pairs: impl IntoIterator<Item = (UserId, UserId)>,
    ) -> Result<Parties, StoreError> {
        let (clients, photographers): (Vec<UserId>, Vec<UserId>) = pairs.into_iter().unzip();
        let clients = if sees_clients(reader) { clients } else { vec![] };
        let photographers = if sees_photographers(reader) { photographers } else { vec![] };
        let names = if clients.is_empty() && photographers.is_empty() {
            PartyNames::default()
        } else {
            store.party_names(&clients, &photographers).await?
        };
        Ok(Parties { reader, names })
    }

    /// `inner`, a record of the booking between `client` and `photographer`, with the
    /// names its reader sees.
    pub fn name<T>(&self, inner: T, client: UserId, photographer: UserId) -> Named<T> {
        Named {
            inner,
            client_name: sees_clients(self.reader).then(|| self.names.client(client)),
            photographer_name: sees_photographers(self.reader).then(|| self.names.photographer(photographer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Records each call; knows one client and one photographer by name.
    struct Directory {
        client: UserId,
        photographer: UserId,
        calls: Mutex<Vec<(Vec<UserId>, Vec<UserId>)>>,
    }

    impl NameReader for Directory {
        async fn party_names(&self, clients: &[UserId], photographers: &[UserId]) -> Result<PartyNames, StoreError> {
            self.calls.lock().unwrap().push((clients.to_vec(), photographers.to_vec()));
            let mut out = PartyNames::default();
            if clients.contains(&self.client) {
                out.clients = HashMap::from([(self.client, "Priya Sharma".to_string())]);
            }
            if photographers.contains(&self.photographer) {
                out.photographers = HashMap::from([(self.photographer, "Asha Lens".to_string())]);
            }
            Ok(out)
        }
    }

    fn directory() -> Directory {
        Directory { client: UserId::new(), photographer: UserId::new(), calls: Mutex::new(vec![]) }
    }

    fn json<T: Serialize>(v: &Named<T>) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn each_reader_sees_the_other_partys_name_and_admins_both() {
        let d = directory();
        let (c, p) = (d.client, d.photographer);
        let inner = serde_json::json!({"booking_id": "b"});
        for (reader, expected) in [
            (Reader::Client, serde_json::json!({"booking_id": "b", "photographer_name": "Asha Lens"})),
            (Reader::Photographer, serde_json::json!({"booking_id": "b", "client_name": "Priya Sharma"})),
            (
                Reader::Admin,
                serde_json::json!({"booking_id": "b", "client_name": "Priya Sharma", "photographer_name": "Asha Lens"}),
            ),
        ] {
            let parties = block_on(Parties::of(&d, reader, [(c, p)])).unwrap();
            assert_eq!(json(&parties.name(inner.clone(), c, p)), expected, "{reader:?}");
        }
        let asked = d.calls.lock().unwrap().clone();
        assert_eq!(
            asked,
            vec![(vec![], vec![p]), (vec![c], vec![]), (vec![c], vec![p])],
            "only the names each reader sees"
        );
    }

    #[test]
    fn a_party_without_a_name_reads_null_and_an_empty_page_asks_nothing() {
        let d = directory();
        let (stranger, other) = (UserId::new(), UserId::new());
        let parties = block_on(Parties::of(&d, Reader::Admin, [(stranger, other)])).unwrap();
        assert_eq!(
            json(&parties.name(serde_json::json!({}), stranger, other)),
            serde_json::json!({"client_name": null, "photographer_name": null})
        );
        block_on(Parties::of(&d, Reader::Client, [])).unwrap();
        assert_eq!(d.calls.lock().unwrap().len(), 1, "no call for a page without records");
    }
}
