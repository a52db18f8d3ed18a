"""The one stack: table, queues, bucket and CDN, identities, API, worker, email, alarms."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import CfnElement, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_ses as ses
from constructs import Construct

from app.settings import EnvVar, Settings
from domain.notifications import BusinessProfile
from domain.orders import DeliveryPriority
from infra.alarms import ServiceAlarms
from infra.api import GraphQLApi
from infra.auth import Identities
from infra.functions import acknowledge_scoped_wildcards, api_function, worker_function
from infra.queues import CommandQueues
from infra.storage import ReceiptsAndAssets
from infra.table import OrdersTable

# Concurrent worker invocations per queue: urgent orders get their own, larger share, so a
# backlog of standard orders never holds them up.
WORKER_CONCURRENCY = {DeliveryPriority.URGENT: 10, DeliveryPriority.STANDARD: 4}
WORKER_BATCH_SIZE = 10


@dataclass(frozen=True, slots=True)
class DeploymentConfig:
    """What differs between deployments: who the business is and where its frontend lives."""

    frontend_origin: str
    business: BusinessProfile


class OrderDeliveryStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeploymentConfig, code: lambda_.Code
    ) -> None:
        super().__init__(
            scope, construct_id, description="Order delivery: GraphQL API, SQS workers"
        )
        table = OrdersTable(self, "Orders").table
        command_queues = CommandQueues(self, "Queues")
        storage = ReceiptsAndAssets(self, "Storage")
        identities = Identities(self, "Identities")
        sender = ses.EmailIdentity(
            self, "Sender", identity=ses.Identity.email(config.business.sender_email)
        )
        settings = Settings(
            table_name=table.table_name,
            queue_urls={
                priority: queue.queue_url for priority, queue in command_queues.queues.items()
            },
            bucket_name=storage.bucket.bucket_name,
            region=self.region,
            business=config.business,
            cors_allowed_origins=(config.frontend_origin,),
        )
        environment = settings.to_environ()
        environment.pop(EnvVar.REGION)  # Lambda sets AWS_REGION itself and reserves the name

        api = api_function(self, code, environment)
        table.grant_read_data(api.role)
        storage.bucket.grant_read(api.role, "receipts/*")
        for queue in command_queues.queues.values():
            queue.grant_send_messages(api.role)

        worker = worker_function(self, code, environment)
        table.grant_read_write_data(worker.role)
        storage.bucket.grant_put(worker.role, "receipts/*")
        sender.grant_send_email(worker.role)
        # In the SES sandbox, SES also authorizes each recipient's (verified) identity; sending
        # stays pinned to our sender address by the condition.
        worker.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[self.format_arn(service="ses", resource="identity", resource_name="*")],
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

        table_arn = f"<{self._logical_id(table)}.Arn>"
        bucket_arn = f"<{self._logical_id(storage.bucket)}.Arn>"
        gsis = "the table's own GSIs, which grant_read/write_data name as <table>/index/*"
        receipts = "objects under receipts/ only: one per order version, keys unknown in advance"
        acknowledge_scoped_wildcards(
            api,
            {
                f"Resource::{table_arn}/index/*": gsis,
                f"Resource::{bucket_arn}/receipts/*": receipts,
                "Action::s3:GetObject*": "grant_read's read-only actions, on receipts/* only",
                "Action::s3:GetBucket*": "grant_read's read-only actions, on this bucket only",
                "Action::s3:List*": "grant_read's read-only actions, on this bucket only",
            },
        )
        acknowledge_scoped_wildcards(
            worker,
            {
                f"Resource::{table_arn}/index/*": gsis,
                f"Resource::{bucket_arn}/receipts/*": receipts,
                "Action::s3:Abort*": "grant_put's multipart abort, on receipts/* only",
                "Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*": (
                    "SES's sandbox authorizes each recipient's identity too; the statement is "
                    "pinned to our sender by an ses:FromAddress condition"
                ),
            },
        )

        graphql = GraphQLApi(
            self,
            "GraphQL",
            handler=api.function,
            user_pool=identities.user_pool,
            frontend_origin=config.frontend_origin,
        )
        alarms = ServiceAlarms(
            self,
            "Alarms",
            queues=command_queues.queues,
            dead_letter_queues=command_queues.dead_letter_queues,
            api=graphql.api,
            worker=worker.function,
        )

        CfnOutput(self, "GraphQLUrl", value=graphql.graphql_url)
        CfnOutput(self, "UserPoolId", value=identities.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=identities.client.user_pool_client_id)
        CfnOutput(self, "AssetsCdnDomain", value=storage.distribution.distribution_domain_name)
        CfnOutput(self, "BucketName", value=storage.bucket.bucket_name)
        CfnOutput(self, "AlarmTopicArn", value=alarms.topic.topic_arn)
        for priority, queue in command_queues.queues.items():
            CfnOutput(self, f"{priority.value.capitalize()}QueueName", value=queue.queue_name)

    def _logical_id(self, resource: Construct) -> str:
        """The template's name for an L2 construct's resource, as cdk-nag's findings cite it."""
        element = resource.node.default_child
        assert isinstance(element, CfnElement)
        return self.get_logical_id(element)
