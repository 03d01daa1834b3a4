process ONCOGEN_SHARDS {
    tag "${meta.id}"
    label 'process_single'

    conda "${moduleDir}/environment.yml"
    container "ghcr.io/oncogen/oncogen:0.1.0"

    input:
    tuple val(meta), path(fasta), path(fai)
    tuple val(meta2), path(bed)
    val n_shards

    output:
    tuple val(meta), path("shards/shard_*.bed"), emit: beds
    path "versions.yml"                        , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def bed_arg = bed ? "--bed ${bed}" : ''
    """
    oncogen shards \\
        --ref ${fasta} \\
        ${bed_arg} \\
        -n ${n_shards} \\
        -o shards \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        oncogen: \$(oncogen --version | sed 's/^oncogen, version //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p shards
    for k in \$(seq -f '%03g' 1 ${n_shards}); do touch shards/shard_\$k.bed; done

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        oncogen: \$(oncogen --version | sed 's/^oncogen, version //')
    END_VERSIONS
    """
}
