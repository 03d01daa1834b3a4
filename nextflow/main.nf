#!/usr/bin/env nextflow
/*
 * oncogen somatic calling, scattered over interval shards and gathered per sample.
 *
 *   ONCOGEN_SHARDS  reference (+ optional BED) -> shard_001.bed ... shard_NNN.bed
 *   ONCOGEN_CALL    one task per (sample, shard): oncogen call --bed shard_K.bed
 *   ONCOGEN_MERGE   one task per sample: oncogen merge shard VCFs -> <sample>.vcf.gz
 *
 * Usage: nextflow run nextflow/main.nf -profile local --input samplesheet.csv --fasta ref.fa
 * (see docs/nextflow.md).
 */
nextflow.enable.dsl = 2

include { ONCOGEN_SHARDS } from './modules/oncogen/shards/main'
include { ONCOGEN_CALL   } from './modules/oncogen/call/main'
include { ONCOGEN_MERGE  } from './modules/oncogen/merge/main'

def indexOf(String alignment, String given) {
    if (given) {
        return file(given, checkIfExists: true)
    }
    def suffix = alignment.endsWith('.cram') ? '.crai' : '.bai'
    return file("${alignment}${suffix}", checkIfExists: true)
}

workflow ONCOGEN_SOMATIC {
    take:
    ch_samples   // channel: [ val(meta), path(tumor), path(tumor_index), path(normal), path(normal_index) ] (normal [] for tumor-only)
    ch_fasta     // value channel: [ val(meta2), path(fasta), path(fai) ]
    ch_targets   // value channel: [ val(meta3), path(bed) ] (bed may be [])
    ch_resource  // value channel: [ val(meta4), path(vcf), path(tbi) ] (germline resource; [] for none)
    ch_pon       // value channel: [ val(meta5), path(vcf), path(tbi) ] (panel of normals; [] for none)
    n_shards     // int

    main:
    ch_versions = Channel.empty()

    ONCOGEN_SHARDS(ch_fasta, ch_targets, n_shards)
    ch_versions = ch_versions.mix(ONCOGEN_SHARDS.out.versions)

    // every shard BED is its own item; a list comes back when n_shards > 1
    ch_beds = ONCOGEN_SHARDS.out.beds
        .flatMap { meta, beds -> beds instanceof List ? beds : [beds] }

    ch_call = ch_samples
        .combine(ch_beds)
        .map { meta, tumor, tumor_index, normal, normal_index, bed ->
            def shard = bed.baseName
            [meta + [id: "${meta.id}.${shard}", sample: meta.id, shard: shard],
             tumor, tumor_index, normal, normal_index, bed]
        }
    ONCOGEN_CALL(ch_call, ch_fasta, ch_resource, ch_pon)
    ch_versions = ch_versions.mix(ONCOGEN_CALL.out.versions.first())

    // gather: wait for exactly n_shards VCFs per sample, then merge
    ch_gather = ONCOGEN_CALL.out.vcf
        .map { meta, vcf -> [groupKey(meta.sample, n_shards), vcf] }
        .groupTuple()
        .map { sample, vcfs -> [[id: sample.toString()], vcfs.sort { it.name }] }
    ONCOGEN_MERGE(ch_gather)
    ch_versions = ch_versions.mix(ONCOGEN_MERGE.out.versions.first())

    emit:
    vcf      = ONCOGEN_MERGE.out.vcf
    tbi      = ONCOGEN_MERGE.out.tbi
    versions = ch_versions
}

workflow {
    if (!params.input) { error "Give a samplesheet with --input (columns: sample,tumor[,normal,tumor_index,normal_index]; an empty normal calls the tumor alone)" }
    if (!params.fasta) { error "Give the reference FASTA with --fasta" }
    if ((params.shards as int) < 1) { error "--shards must be at least 1, got ${params.shards}" }

    ch_samples = Channel
        .fromPath(params.input, checkIfExists: true)
        .splitCsv(header: true, strip: true)
        .map { row ->
            if (!row.sample || !row.tumor) {
                error "Samplesheet row ${row}: expected the columns sample and tumor (and normal, empty for tumor-only)"
            }
            [[id: row.sample],
             file(row.tumor, checkIfExists: true), indexOf(row.tumor, row.tumor_index),
             row.normal ? file(row.normal, checkIfExists: true) : [],
             row.normal ? indexOf(row.normal, row.normal_index) : []]
        }

    def fai = params.fai ?: "${params.fasta}.fai"
    ch_fasta = Channel.value([[id: file(params.fasta).simpleName],
                              file(params.fasta, checkIfExists: true),
                              file(fai, checkIfExists: true)])
    ch_targets = params.bed
        ? Channel.value([[id: file(params.bed).simpleName], file(params.bed, checkIfExists: true)])
        : Channel.value([[id: 'genome'], []])

    ch_resource = params.germline_resource
        ? Channel.value([[id: file(params.germline_resource).simpleName],
                         file(params.germline_resource, checkIfExists: true),
                         file("${params.germline_resource}.tbi", checkIfExists: true)])
        : Channel.value([[id: 'none'], [], []])
    ch_pon = params.panel_of_normals
        ? Channel.value([[id: file(params.panel_of_normals).simpleName],
                         file(params.panel_of_normals, checkIfExists: true),
                         file("${params.panel_of_normals}.tbi", checkIfExists: true)])
        : Channel.value([[id: 'none'], [], []])

    ONCOGEN_SOMATIC(ch_samples, ch_fasta, ch_targets, ch_resource, ch_pon, params.shards as int)

    ONCOGEN_SOMATIC.out.versions
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info")
}
