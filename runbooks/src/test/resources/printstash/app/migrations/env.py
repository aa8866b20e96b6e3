"""Alembic environment: VAULT_DB_URL names the database; each migration is one transaction.

SQLite can run DDL inside a transaction, but Python's sqlite3 module commits on its own around
it unless told otherwise; the two listeners below hand transaction control to SQLAlchemy (the
recipe from SQLAlchemy's SQLite documentation). So a migration that fails, or a process killed
mid-migration, leaves the database at the previous revision, and `alembic upgrade head` can
simply run again.
"""

import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, event

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

url = os.environ.get("VAULT_DB_URL")
if not url:
    sys.exit("VAULT_DB_URL is not set: it names the database to migrate")
path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
if path is not None and not os.path.isfile(path):
    # Never create an empty database by migrating a mistyped URL.
    sys.exit("VAULT_DB_URL names %s, which does not exist" % path)

engine = create_engine(url)


@event.listens_for(engine, "connect")
def _no_pysqlite_transactions(dbapi_connection, connection_record):
    dbapi_connection.isolation_level = None


@event.listens_for(engine, "begin")
def _begin(conn):
    conn.exec_driver_sql("BEGIN")


def run_migrations_offline():
    context.configure(url=url, literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            transaction_per_migration=True,
            transactional_ddl=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
