//! Portfolio items. One partition per photographer (`PORTFOLIO#<id>`): an item per
//! photo (`ITEM#<item>`) and a head (`HEAD`) whose version every new item moves on. A
//! new item commits only if the head is still at the version its quota check read,
//! so two uploads racing for the last place cannot both get it. A portfolio holds at
//! most `cm_media::upload::MAX_ITEMS` items, so reading one whole is a bounded Query.

use crate::error::from_sdk;
use crate::ports::{PortfolioReader, PortfolioWriter};
use crate::{DynamoStore, Read, StoreError, build_err, from_item, key, keys, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use cm_core::UserId;
use cm_media::{ItemId, PortfolioItem};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct StoredItem {
    pk: String,
    sk: String,
    entity: String,
    #[serde(flatten)]
    item: PortfolioItem,
}

/// A photographer's items and the head version they were read at.
#[derive(Debug, Clone, Default)]
pub struct Portfolio {
    pub items: Vec<PortfolioItem>,
    pub version: u64,
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl PortfolioReader for DynamoStore {
    async fn get_portfolio_item(&self, photographer: UserId, id: ItemId) -> Result<Option<PortfolioItem>, StoreError> {
        let item = self.get(keys::portfolio(photographer), keys::portfolio_item(id), Read::Consistent).await?;
        item.map(|i| from_item::<StoredItem>(i).map(|s| s.item)).transpose()
    }

    async fn portfolio(&self, photographer: UserId, consistent: bool) -> Result<Portfolio, StoreError> {
        let mut portfolio = Portfolio::default();
        let read = if consistent { Read::Consistent } else { Read::Eventual };
        let items = self.partition(keys::portfolio(photographer), read).await?;
        for item in items {
            if item.get(keys::SK).and_then(|v| v.as_s().ok()).map(String::as_str) == Some(keys::PORTFOLIO_HEAD) {
                portfolio.version = item
                    .get("version")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("portfolio head without a version".into()))?;
            } else {
                portfolio.items.push(from_item::<StoredItem>(item)?.item);
            }
        }
        Ok(portfolio)
    }
}

impl PortfolioWriter for DynamoStore {
    async fn add_portfolio_item(&self, item: &PortfolioItem, read_version: u64) -> Result<bool, StoreError> {
        let stored = StoredItem {
            pk: keys::portfolio(item.photographer),
            sk: keys::portfolio_item(item.id),
            entity: "portfolio_item".into(),
            item: item.clone(),
        };
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&stored)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let head = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::portfolio(item.photographer), keys::PORTFOLIO_HEAD)))
            .update_expression("SET version = :next, entity = :entity")
            .condition_expression(if read_version == 0 { "attribute_not_exists(pk)" } else { "version = :read" })
            .set_expression_attribute_values(Some(
                [(":next".to_string(), n(read_version + 1)), (":entity".to_string(), s("portfolio_head"))]
                    .into_iter()
                    .chain((read_version != 0).then(|| (":read".to_string(), n(read_version))))
                    .collect(),
            ))
            .build()
            .map_err(build_err)?;
        let ops =
            vec![TransactWriteItem::builder().put(put).build(), TransactWriteItem::builder().update(head).build()];
        crate::error::applied(self.transact(ops).await)
    }

    async fn replace_portfolio_item(&self, old: &PortfolioItem, new: &PortfolioItem) -> Result<bool, StoreError> {
        let stored = StoredItem {
            pk: keys::portfolio(new.photographer),
            sk: keys::portfolio_item(new.id),
            entity: "portfolio_item".into(),
            item: new.clone(),
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&stored)?))
            .condition_expression("version = :read")
            .expression_attribute_values(":read", n(old.version))
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }

    async fn delete_portfolio_item(&self, item: &PortfolioItem) -> Result<bool, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::portfolio(item.photographer), keys::portfolio_item(item.id))))
            .condition_expression("version = :read")
            .expression_attribute_values(":read", n(item.version))
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }
}
