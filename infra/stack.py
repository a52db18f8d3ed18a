"""The one stack: table, queues, bucket, identities, API, worker, email, alarms, the site."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Fn, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from app.settings import EnvVar, Settings
from app.web_site import ORDER_PAGE_FRAGMENT, cognito_sign_in, site_settings
from domain.notifications import BusinessProfile
from domain.orders import DeliveryPriority
from domain.resources import BUCKET
from infra.alarms import ServiceAlarms
from infra.api import GraphQLApi
from infra.auth import Identities
from infra.functions import ApiFunction, acknowledge_scoped_wildcards, worker_function
from infra.mail import Mail
from infra.nag import logical_id
from infra.queues import CommandQueues
from infra.site import WebSite
from infra.storage import Buckets
from infra.table import OrdersTable

# Concurrent worker invocations per queue: urgent orders get their own, larger share, so a
# backlog of standard orders never holds them up.
WORKER_CONCURRENCY = {DeliveryPriority.URGENT: 10, DeliveryPriority.STANDARD: 4}
WORKER_BATCH_SIZE = 10
# DynamoDB actions each function's code calls (storage/table.py), and no others.
API_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
WORKER_TABLE_ACTIONS = [*API_TABLE_ACTIONS, "dynamodb:PutItem", "dynamodb:BatchWriteItem"]


@dataclass(frozen=True, slots=True)
class DeploymentConfig:
    """What differs between deployments: who the business is, and what else calls the API."""

    business: BusinessProfile
    # The site's own app calls the API on its origin; this allows one more (CORS), such as a
    # frontend the business hosts elsewhere.
    frontend_origin: str | None = None
    # The hosted UI's https://<prefix>.auth.<region>.amazoncognito.com; unique in the region.
    # By default the stack's name and the account's id.
    auth_domain_prefix: str | None = None
    # Whether SES has verified the sender (its link clicked, after the first deployment):
    # Cognito sends its mail through SES only then, as it refuses an unverified identity.
    sender_verified: bool = False


class OrderDeliveryStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        api_code: lambda_.Code,
        worker_code: lambda_.Code,
        web_dist: Path,
    ) -> None:
        super().__init__(
            scope, construct_id, description="Order delivery: GraphQL API, SQS workers"
        )
        table = OrdersTable(self, "Orders").table
        command_queues = CommandQueues(self, "Queues")
        storage = Buckets(self, "Storage")
        mail = Mail(self, "Mail", sender_email=config.business.sender_email)
        identities = Identities(
            self,
            "Identities",
            domain_prefix=config.auth_domain_prefix
            or Fn.join("-", [construct_id.lower(), Aws.ACCOUNT_ID]),
            mail=mail,
            sender_name=config.business.name,
            sender_verified=config.sender_verified,
        )
        settings = Settings(
            table_name=table.table_name,
            queue_urls={
                priority: queue.queue_url for priority, queue in command_queues.queues.items()
            },
            bucket_name=storage.bucket.bucket_name,
            region=self.region,
            business=config.business,
            cors_allowed_origins=(config.frontend_origin,) if config.frontend_origin else (),
        )
        environment = settings.to_environ()
        environment.pop(EnvVar.REGION)  # Lambda sets AWS_REGION itself and reserves the name

        api = ApiFunction(self, code=api_code, environment=environment)
        # Exactly what the API calls: reads (item, batch, query on the table and its indexes),
        # one SendMessage per mutation, and GetObject for the receipt links it presigns.
        api.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=API_TABLE_ACTIONS,
                resources=[table.table_arn, f"{table.table_arn}/index/*"],
            )
        )
        api.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn for queue in command_queues.queues.values()],
            )
        )
        api.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[storage.bucket.arn_for_objects(BUCKET.receipts_pattern)],
            )
        )

        graphql = GraphQLApi(self, "GraphQL", cors_origin=config.frontend_origin)
        site = WebSite(
            self, "Site", bucket=storage.site, logs=storage.logs, api_domain=graphql.domain_name
        )
        site_page = site.url + "/"
        web_client = identities.add_web_client(site_page)
        graphql.route(api.alias, identities.user_pool, [web_client])
        site.publish(
            web_dist,
            site_settings(
                cognito_sign_in(
                    domain=identities.domain.base_url(),
                    client_id=web_client.user_pool_client_id,
                    site_url=site_page,
                )
            ),
        )

        # Emails link to the order's page on the site unless the business links elsewhere.
        # Only the worker sends them: the site's address in the API's settings would make the
        # API depend on the distribution in front of it.
        worker_settings = replace(
            settings,
            business=replace(
                config.business,
                receipt_link_template=config.business.receipt_link_template
                or site_page + ORDER_PAGE_FRAGMENT,
            ),
        )
        worker_environment = worker_settings.to_environ()
        worker_environment.pop(EnvVar.REGION)
        worker = worker_function(self, worker_code, worker_environment)
        # Exactly what the worker calls: reads as the API does (no index), conditional puts
        # in a transaction (which needs PutItem on each item), a batch of puts recording the
        # effects performed, the receipt's PutObject, and SendEmail from our sender through
        # the configuration set.
        worker.role.add_to_principal_policy(
            iam.PolicyStatement(actions=WORKER_TABLE_ACTIONS, resources=[table.table_arn])
        )
        worker.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[storage.bucket.arn_for_objects(BUCKET.receipts_pattern)],
            )
        )
        # In the SES sandbox, SES also authorizes each recipient's (verified) identity; sending
        # stays pinned to our sender address by the condition.
        worker.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[
                    self.format_arn(service="ses", resource="identity", resource_name="*"),
                    mail.configuration_set_arn,
                ],
                conditions={"StringEquals": {"ses:FromAddress": config.business.sender_email}},
            )
        )
        for priority, queue in command_queues.queues.items():
            worker.function.add_event_source(
                sources.SqsEventSource(
                    queue,
                    batch_size=WORKER_BATCH_SIZE,
                    report_batch_item_failures=True,
                    max_concurrency=WORKER_CONCURRENCY[priority],
                )
            )

        table_arn = f"<{logical_id(table)}.Arn>"
        bucket_arn = f"<{logical_id(storage.bucket)}.Arn>"
        receipts = (
            f"objects under {BUCKET.receipts_prefix} only: one per order version, keys unknown "
            "in advance"
        )
        acknowledge_scoped_wildcards(
            api,
            {
                f"Resource::{table_arn}/index/*": (
                    "the table's own GSIs, which the API's listings query"
                ),
                f"Resource::{bucket_arn}/{BUCKET.receipts_pattern}": receipts,
            },
        )
        acknowledge_scoped_wildcards(
            worker,
            {
                f"Resource::{bucket_arn}/{BUCKET.receipts_pattern}": receipts,
                "Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*": (
                    "SES's sandbox authorizes each recipient's identity too; the statement is "
                    "pinned to our sender by an ses:FromAddress condition"
                ),
            },
        )

        alarms = ServiceAlarms(
            self,
            "Alarms",
            queues=command_queues.queues,
            dead_letter_queues=command_queues.dead_letter_queues,
            api=graphql,
            api_function=api.function,
            worker=worker.function,
            table=table,
            mail=mail,
        )

        CfnOutput(self, "GraphQLUrl", value=graphql.graphql_url)
        CfnOutput(self, "UserPoolId", value=identities.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=web_client.user_pool_client_id)
        CfnOutput(self, "SiteUrl", value=site_page)
        CfnOutput(self, "HostedUiUrl", value=identities.domain.base_url())
        CfnOutput(self, "BucketName", value=storage.bucket.bucket_name)
        CfnOutput(self, "AlarmTopicArn", value=alarms.topic.topic_arn)
        CfnOutput(self, "DashboardName", value=alarms.dashboard.dashboard_name)
        for priority, queue in command_queues.queues.items():
            CfnOutput(self, f"{priority.value.capitalize()}QueueName", value=queue.queue_name)
