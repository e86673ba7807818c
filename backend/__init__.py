"""The domain of the Helhedsplan portal: settings, database, tables, policy, services and audit."""
