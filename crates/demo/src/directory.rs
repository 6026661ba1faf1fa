//! The user directory: the one part of the demo data that changes at run time
//! (sign-ups, password resets). Bounded, so a sign-up flood cannot grow memory
//! without limit.

use crate::credentials::{PasswordHash, Role};
use crate::dataset::{Address, User};
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// How many accounts sign-up may add on top of the generated ones.
pub const MAX_SIGN_UPS: usize = 10_000;

/// What sign-up needs; already validated by the handler.
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: PasswordHash,
    pub member_since: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignUpError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("the demo accepts no more sign-ups ({MAX_SIGN_UPS} reached)")]
    Full,
}

struct Users {
    list: Vec<User>,
    by_email: HashMap<String, usize>,
    generated: usize,
}

pub struct Directory {
    users: RwLock<Users>,
}

impl Directory {
    pub fn new(generated: Vec<User>) -> Self {
        let by_email = generated
            .iter()
            .enumerate()
            .map(|(i, u)| (u.email.to_ascii_lowercase(), i))
            .collect();
        Directory {
            users: RwLock::new(Users {
                generated: generated.len(),
                list: generated,
                by_email,
            }),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Users) -> T) -> T {
        f(&self.users.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Users) -> T) -> T {
        f(&mut self.users.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// Users are numbered from 1 without gaps.
    pub fn get(&self, id: u64) -> Option<User> {
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        self.read(|users| users.list.get(index).cloned())
    }

    pub fn find_by_email(&self, email: &str) -> Option<User> {
        self.read(|users| {
            let index = *users.by_email.get(&email.to_ascii_lowercase())?;
            users.list.get(index).cloned()
        })
    }

    pub fn len(&self) -> usize {
        self.read(|users| users.list.len())
    }

    /// Up to `limit` users starting at position `offset`.
    pub fn page(&self, offset: usize, limit: usize) -> Vec<User> {
        self.read(|users| {
            users
                .list
                .iter()
                .skip(offset)
                .take(limit)
                .cloned()
                .collect()
        })
    }

    pub fn sign_up(&self, new: NewUser) -> Result<User, SignUpError> {
        self.write(|users| {
            let key = new.email.to_ascii_lowercase();
            if users.by_email.contains_key(&key) {
                return Err(SignUpError::EmailTaken);
            }
            if users.list.len() - users.generated >= MAX_SIGN_UPS {
                return Err(SignUpError::Full);
            }
            let user = User {
                id: users.list.len() as u64 + 1,
                name: new.name,
                email: new.email,
                phone: new.phone,
                ssn: String::new(),
                date_of_birth: String::new(),
                address: Address {
                    street: String::new(),
                    city: String::new(),
                    postcode: String::new(),
                },
                role: Role::Customer,
                password: new.password,
                member_since: new.member_since,
            };
            users.by_email.insert(key, users.list.len());
            users.list.push(user.clone());
            Ok(user)
        })
    }

    /// Returns false when the user does not exist.
    pub fn set_password(&self, id: u64, password: PasswordHash) -> bool {
        let Some(index) = id.checked_sub(1).and_then(|i| usize::try_from(i).ok()) else {
            return false;
        };
        self.write(|users| match users.list.get_mut(index) {
            Some(user) => {
                user.password = password;
                true
            }
            None => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;

    fn new_user(email: &str) -> NewUser {
        static HASH: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        NewUser {
            name: "New Person".to_owned(),
            email: email.to_owned(),
            phone: String::new(),
            password: HASH
                .get_or_init(|| PasswordHash::new("pw", [0; 16]))
                .clone(),
            member_since: "2025-01-01".to_owned(),
        }
    }

    #[test]
    fn sign_up_assigns_the_next_id_and_refuses_duplicate_emails_case_insensitively() {
        let directory = Directory::new(Dataset::generate(1).users);
        let before = directory.len();
        let user = directory.sign_up(new_user("new@example.com")).unwrap();
        assert_eq!(user.id, before as u64 + 1);
        assert_eq!(directory.get(user.id).unwrap().email, "new@example.com");
        assert_eq!(
            directory.find_by_email("NEW@example.com").unwrap().id,
            user.id
        );
        assert_eq!(
            directory.sign_up(new_user("New@Example.com")).unwrap_err(),
            SignUpError::EmailTaken
        );
    }

    #[test]
    fn sign_ups_stop_at_the_bound() {
        let directory = Directory::new(Vec::new());
        for i in 0..MAX_SIGN_UPS {
            directory
                .sign_up(new_user(&format!("u{i}@example.com")))
                .unwrap();
        }
        assert_eq!(
            directory
                .sign_up(new_user("one-more@example.com"))
                .unwrap_err(),
            SignUpError::Full
        );
    }

    #[test]
    fn get_handles_zero_and_huge_ids_and_set_password_replaces_the_hash() {
        let directory = Directory::new(Dataset::generate(1).users);
        assert!(directory.get(0).is_none());
        assert!(directory.get(u64::MAX).is_none());
        assert!(directory.set_password(1, PasswordHash::new("new-secret", [3; 16])));
        assert!(directory.get(1).unwrap().password.matches("new-secret"));
        assert!(!directory.set_password(0, PasswordHash::new("x", [3; 16])));
        assert_eq!(
            directory
                .page(1, 2)
                .iter()
                .map(|u| u.id)
                .collect::<Vec<_>>(),
            vec![2, 3]
        );
    }
}
