//! Embedded migrations, one folder per database, numbered alike: each name below must
//! exist in both `migrations/sqlite` and `migrations/postgres` or the build fails, and a
//! test keeps the two schemas' tables and columns equal. Each backend runs its own.

macro_rules! migrations {
    ($($name:literal),+ $(,)?) => {
        /// SQLite's migrations, by name, in order.
        pub const SQLITE: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../migrations/sqlite/", $name, ".sql")))),+
        ];
        /// PostgreSQL's migrations, by the same names.
        pub const POSTGRES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../migrations/postgres/", $name, ".sql")))),+
        ];
    };
}

migrations!(
    "0001_shops_orders",
    "0002_idempotency_keys",
    "0003_tracking_events",
    "0004_delivery_choices",
    "0005_referrals",
    "0006_surveys",
    "0007_reviews",
    "0008_returns",
    "0009_exchanges",
    "0010_themes",
    "0011_operations",
    "0012_retry_records",
    "0013_choice_limits",
    "0014_view_versions",
    "0015_parcel_lines_by_line",
    "0016_staff",
    "0017_console_reads",
    "0018_analytics",
    "0019_feeds",
    "0020_delays",
    "0021_platform_orders",
    "0022_next_steps",
    "0023_customer_phone",
    "0024_return_labels",
    "0025_photos",
    "0026_order_changes",
    "0027_customs",
    "0028_loyalty_unboxing",
    "0029_products_reminders",
    "0030_upgrades",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_both_folders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for (folder, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let mut files: Vec<String> = std::fs::read_dir(dir.join(folder))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            files.sort();
            let names: Vec<String> = embedded.iter().map(|(n, _)| format!("{n}.sql")).collect();
            assert_eq!(files, names, "{folder}");
        }
    }
}
