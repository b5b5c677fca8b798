"""Airflow DAG: the spark-posttrain pipeline, one SparkSubmitOperator task per stage, in order.

Every task runs `ai.posttrain.cli.Main stage <name> --run <run dir>` from the cluster jar, with the
same spark-submit options as submit/spark-submit.sh and the standalone-cluster test
(src/test/java/ai/posttrain/cluster/StandaloneClusterIT.java). The run directory is named after the
DAG run's logical date, so a retried task, or a cleared and re-run DAG run, continues the same run:
a stage that is complete there is skipped, an interrupted one resumes from its last checkpoint.

Set these Airflow Variables (or edit the defaults below):
  posttrain_jar       the cluster jar on shared storage (mvn -Pcluster -DskipTests package)
  posttrain_conf      the HOCON configuration file (shipped with each job)
  posttrain_run_root  where runs live, e.g. hdfs:///user/ml/posttrain/runs
and an Airflow connection `spark_posttrain` for the cluster (host yarn, k8s://https://HOST:PORT or
spark://HOST:PORT; deploy mode in its extra: {"deploy-mode": "cluster"}).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The stages in the order they run. RL's sub-stages (stem, code, preference) run inside one task.
STAGES = ["cold-start-sft", "overall-sft", "distill", "rl"]

EXECUTORS = 2
EXECUTOR_CORES = 1
EXECUTOR_MEMORY_MB = 1536
EXECUTOR_OFFHEAP_MB = 1024
DRIVER_MEMORY = "1g"

# submit/java-opens.txt: Java 17 module opens, DL4J's clock and the throughput collector, for drivers and executors alike.
JAVA_OPENS = " ".join([
    *(f"--add-opens=java.base/{package}=ALL-UNNAMED" for package in (
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
        "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs",
        "sun.security.action", "sun.util.calendar")),
    "-Djdk.reflect.useDirectMethodHandle=false",
    "-Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource",
    "-XX:+UseParallelGC",
])
# ND4J arrays live off the heap: cap them so the executor's container is not killed.
EXECUTOR_JAVA_OPTIONS = (f"{JAVA_OPENS} -Dorg.bytedeco.javacpp.maxbytes={EXECUTOR_OFFHEAP_MB}m"
                         f" -Dorg.bytedeco.javacpp.maxphysicalbytes=0"
                         f" -Dposttrain.physical-memory-cap={EXECUTOR_MEMORY_MB + EXECUTOR_OFFHEAP_MB + 1024}m")

JAR = Variable.get("posttrain_jar", default_var="hdfs:///user/ml/posttrain/spark-posttrain-0.1.0-SNAPSHOT-cluster.jar")
CONF = Variable.get("posttrain_conf", default_var="/opt/posttrain/conf/cluster.conf")
RUN_ROOT = Variable.get("posttrain_run_root", default_var="hdfs:///user/ml/posttrain/runs")
# One run per DAG run, named by its logical date (templated when the task runs).
RUN_DIR = RUN_ROOT + "/{{ logical_date.strftime('%Y%m%d-%H%M%S') }}"

with DAG(
    dag_id="spark_posttrain",
    description="Cold-start SFT -> overall SFT -> distillation -> RL on Spark",
    start_date=datetime(2025, 1, 1),
    schedule=None,
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(hours=12),
    },
    tags=["spark-posttrain"],
) as dag:
    previous = None
    for stage in STAGES:
        task = SparkSubmitOperator(
            task_id=stage.replace("-", "_"),
            conn_id="spark_posttrain",
            application=JAR,
            java_class="ai.posttrain.cli.Main",
            name=f"spark-posttrain-{stage}",
            num_executors=EXECUTORS,
            executor_cores=EXECUTOR_CORES,
            total_executor_cores=EXECUTORS * EXECUTOR_CORES,
            executor_memory=f"{EXECUTOR_MEMORY_MB}m",
            driver_memory=DRIVER_MEMORY,
            files=CONF,
            conf={
                "spark.driver.extraJavaOptions": JAVA_OPENS,
                "spark.executor.extraJavaOptions": EXECUTOR_JAVA_OPTIONS,
                "spark.executor.memoryOverhead": f"{EXECUTOR_OFFHEAP_MB + 512}m",
                "spark.executorEnv.OMP_NUM_THREADS": "1",
                "spark.yarn.appMasterEnv.OMP_NUM_THREADS": "1",
                "spark.kubernetes.driverEnv.OMP_NUM_THREADS": "1",
            },
            # In cluster deploy mode the shipped file is in the driver's working directory.
            application_args=["stage", stage, "--run", RUN_DIR, "--conf", Path(CONF).name,
                              "--set", f"posttrain.train.workers={EXECUTORS * EXECUTOR_CORES}"],
        )
        if previous is not None:
            previous >> task
        previous = task
