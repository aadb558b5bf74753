//! `local-stack up | reset | fire NAME | smoke [--api URL] | check`.

use std::process::ExitCode;

const USAGE: &str =
    "usage: local-stack up | reset | fire SCHEDULE | smoke [--api URL] | bench-chat [--messages N] | check";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match local_stack::repo_root() {
        Ok(root) => run(root, &args).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("local-stack: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(root: std::path::PathBuf, args: &[String]) -> Result<(), String> {
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["up"] => local_stack::stack::up(local_stack::stack::Settings::from_env(root)?).await,
        ["reset"] => {
            let url = local_stack::running_control_url(&root)?;
            let (status, body) =
                local_stack::client::post_json(&format!("{url}/reset"), None, &serde_json::Value::Null).await?;
            println!("{}", body["reset"].as_str().unwrap_or(&body.to_string()));
            if status == 200 { Ok(()) } else { Err(format!("reset failed ({status})")) }
        }
        ["fire", name] => {
            let url = local_stack::running_control_url(&root)?;
            let (status, body) =
                local_stack::client::post_json(&format!("{url}/schedules/{name}/fire"), None, &serde_json::Value::Null)
                    .await?;
            println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
            if status == 200 {
                Ok(())
            } else {
                Err(format!("{name}: {}", body["error"].as_str().unwrap_or("the function failed")))
            }
        }
        ["smoke", rest @ ..] => {
            let api = match rest {
                ["--api", url] => Some(url.to_string()),
                [] => std::env::var("API_URL").ok().filter(|u| !u.is_empty()),
                _ => return Err(USAGE.into()),
            };
            local_stack::smoke::run(&root, api).await
        }
        ["bench-chat", rest @ ..] => {
            let messages = match rest {
                [] => 100,
                ["--messages", n] => n.parse().map_err(|_| USAGE.to_string())?,
                _ => return Err(USAGE.into()),
            };
            local_stack::chat::bench(&root, messages).await
        }
        ["check"] => local_stack::stack::check(&root).map(|s| println!("template.yaml: {s}")),
        _ => Err(USAGE.into()),
    }
}
