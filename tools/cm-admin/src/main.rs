//! `create-admin --email E --name N`, password on stdin (never in argv or shell
//! history). Talks to the table in TABLE_NAME with the standard AWS environment, so the
//! same command works against DynamoDB Local and against a deployed stack.

use cm_accounts::account::{Email, Registration, Role, check_name, check_password_policy};
use cm_store::UserWriter;
use std::io::BufRead;
use std::process::ExitCode;

fn arg(args: &[String], flag: &str) -> Option<String> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(id) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("create-admin: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    let usage =
        "usage: create-admin --email EMAIL --name NAME  (password on stdin; TABLE_NAME and AWS_* from the environment)";
    let email = Email::parse(&arg(&args, "--email").ok_or(usage)?).map_err(|e| format!("email {e}"))?;
    let name = check_name(&arg(&args, "--name").ok_or(usage)?).map_err(|e| format!("name {e}"))?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).map_err(|e| e.to_string())?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    check_password_policy(&password).map_err(|e| format!("password {e}"))?;
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;

    let normalized = email.normalized();
    let reg = Registration { email, password, name, role: Role::Admin, phone: None, timezone: "UTC".into() };
    let user = reg.into_user(chrono::Utc::now()).map_err(|e| e.to_string())?;
    let sdk = aws_config::load_from_env().await;
    let store = cm_store::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    match store.create_user(&user, &normalized).await {
        Ok(()) => Ok(user.id.to_string()),
        Err(cm_store::users::CreateUserError::EmailTaken) => Err("an account with this email already exists".into()),
        Err(cm_store::users::CreateUserError::Store(e)) => Err(e.to_string()),
    }
}
