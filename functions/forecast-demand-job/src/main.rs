#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(forecast_demand_job::Job::from_env, forecast_demand_job::handle).await
}
