//! Functions, insert function instances and Reverse ETL models.

use reqwest::Method;

use super::integrations::seg;
use super::{to_body, Client};
use crate::error::Result;
use crate::models::*;

impl Client {
    /// Functions of one resource type (DESTINATION, INSERT_DESTINATION or
    /// SOURCE), without code or settings: read each with `get_function`.
    pub async fn list_functions(&self, resource_type: &str) -> Result<Vec<FunctionListItem>> {
        let q = [("resourceType", resource_type.to_string())];
        self.list_all("functions", "functions", &q).await
    }
    pub async fn get_function(&self, id: &str) -> Result<Function> {
        let path = format!("functions/{}", seg(id));
        self.one(Method::GET, &path, "function", None).await
    }
    pub async fn create_function(&self, input: &CreateFunction) -> Result<Function> {
        self.one(Method::POST, "functions", "function", Some(to_body(input)?))
            .await
    }
    pub async fn update_function(&self, id: &str, input: &UpdateFunction) -> Result<Function> {
        let path = format!("functions/{}", seg(id));
        self.one(Method::PATCH, &path, "function", Some(to_body(input)?))
            .await
    }
    pub async fn delete_function(&self, id: &str) -> Result<Status> {
        self.delete(&format!("functions/{}", seg(id)), &[]).await
    }

    pub async fn list_insert_function_instances(
        &self,
        function_id: &str,
    ) -> Result<Vec<InsertFunctionInstance>> {
        // An item is what a GET of the instance answers: an export's reads
        // of instances are answered from the list.
        let q = [("functionId", function_id.to_string())];
        self.list_kept("insert-function-instances", "instances", &q)
            .await
    }
    pub async fn get_insert_function_instance(&self, id: &str) -> Result<InsertFunctionInstance> {
        let path = format!("insert-function-instances/{}", seg(id));
        self.one(Method::GET, &path, "insertFunctionInstance", None)
            .await
    }
    pub async fn create_insert_function_instance(
        &self,
        input: &CreateInsertFunctionInstance,
    ) -> Result<InsertFunctionInstance> {
        let body = Some(to_body(input)?);
        let path = "insert-function-instances";
        self.one(Method::POST, path, "insertFunctionInstance", body)
            .await
    }
    pub async fn update_insert_function_instance(
        &self,
        id: &str,
        input: &UpdateInsertFunctionInstance,
    ) -> Result<InsertFunctionInstance> {
        let path = format!("insert-function-instances/{}", seg(id));
        let body = Some(to_body(input)?);
        self.one(Method::PATCH, &path, "insertFunctionInstance", body)
            .await
    }
    pub async fn delete_insert_function_instance(&self, id: &str) -> Result<Status> {
        let path = format!("insert-function-instances/{}", seg(id));
        self.delete(&path, &[]).await
    }

    pub async fn list_reverse_etl_models(&self) -> Result<Vec<ReverseEtlModel>> {
        self.list_kept("reverse-etl-models", "models", &[]).await
    }
    pub async fn get_reverse_etl_model(&self, id: &str) -> Result<ReverseEtlModel> {
        let path = format!("reverse-etl-models/{}", seg(id));
        self.one(Method::GET, &path, "reverseEtlModel", None).await
    }
    pub async fn create_reverse_etl_model(
        &self,
        input: &CreateReverseEtlModel,
    ) -> Result<ReverseEtlModel> {
        let body = Some(to_body(input)?);
        self.one(Method::POST, "reverse-etl-models", "reverseEtlModel", body)
            .await
    }
    pub async fn update_reverse_etl_model(
        &self,
        id: &str,
        input: &UpdateReverseEtlModel,
    ) -> Result<ReverseEtlModel> {
        let path = format!("reverse-etl-models/{}", seg(id));
        let body = Some(to_body(input)?);
        self.one(Method::PATCH, &path, "reverseEtlModel", body)
            .await
    }
    pub async fn delete_reverse_etl_model(&self, id: &str) -> Result<Status> {
        self.delete(&format!("reverse-etl-models/{}", seg(id)), &[])
            .await
    }
}
