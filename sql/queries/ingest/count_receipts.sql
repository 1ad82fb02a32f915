select count(*) from pipeline.receipt
