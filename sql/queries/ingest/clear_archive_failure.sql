-- A later run moved the file: its failure is over.
delete from pipeline.archive_failure
where file_name = :file_name and sha256 = :sha256
