//! A booking's chat room: its client and its photographer talk; admins may read it
//! (disputes) but not write in it; nobody else sees it exists.

use cm_core::{BookingId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    pub booking_id: BookingId,
    pub client: UserId,
    pub photographer: UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// May read, send, type and mark read.
    Participant,
    /// May read the history only.
    Reader,
    None,
}

impl Room {
    pub fn access(&self, user: UserId, is_admin: bool) -> Access {
        if user == self.client || user == self.photographer {
            Access::Participant
        } else if is_admin {
            Access::Reader
        } else {
            Access::None
        }
    }

    /// The other participant, for a participant.
    pub fn other(&self, user: UserId) -> Option<UserId> {
        if user == self.client {
            Some(self.photographer)
        } else if user == self.photographer {
            Some(self.client)
        } else {
            None
        }
    }

    pub fn participants(&self) -> [UserId; 2] {
        [self.client, self.photographer]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_parties_take_part_and_admins_only_read() {
        let room = Room { booking_id: BookingId::new(), client: UserId::new(), photographer: UserId::new() };
        assert_eq!(room.access(room.client, false), Access::Participant);
        assert_eq!(room.access(room.photographer, true), Access::Participant);
        assert_eq!(room.access(UserId::new(), true), Access::Reader);
        assert_eq!(room.access(UserId::new(), false), Access::None);
        assert_eq!(room.other(room.client), Some(room.photographer));
        assert_eq!(room.other(room.photographer), Some(room.client));
        assert_eq!(room.other(UserId::new()), None);
    }
}
