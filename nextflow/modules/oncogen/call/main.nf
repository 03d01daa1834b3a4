process ONCOGEN_CALL {
    tag "${meta.id}"
    label 'process_high'
    label 'process_gpu'

    conda "${moduleDir}/environment.yml"
    container "ghcr.io/oncogen/oncogen:0.1.0"

    input:
    tuple val(meta), path(tumor), path(tumor_index), path(normal), path(normal_index), path(bed)
    tuple val(meta2), path(fasta), path(fai)
    tuple val(meta3), path(germline_resource), path(germline_resource_tbi)
    tuple val(meta4), path(panel_of_normals), path(panel_of_normals_tbi)

    output:
    tuple val(meta), path("*.vcf.gz")    , emit: vcf
    tuple val(meta), path("*.vcf.gz.tbi"), emit: tbi
    path "versions.yml"                  , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def bed_arg = bed ? "--bed ${bed}" : ''
    def normal_arg = normal ? "${normal}" : '--tumor-only'
    def resource_arg = normal ? '' : germline_resource ? "--germline-resource ${germline_resource}" : ''
    def pon_arg = panel_of_normals ? "--panel-of-normals ${panel_of_normals}" : ''
    """
    oncogen call \\
        ${tumor} \\
        ${normal_arg} \\
        --ref ${fasta} \\
        ${bed_arg} \\
        ${resource_arg} \\
        ${pon_arg} \\
        --threads ${task.cpus} \\
        -o ${prefix}.vcf.gz \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        oncogen: \$(oncogen --version | sed 's/^oncogen, version //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    printf '##fileformat=VCFv4.2\\n#CHROM\\tPOS\\tID\\tREF\\tALT\\tQUAL\\tFILTER\\tINFO\\n' | gzip -c > ${prefix}.vcf.gz
    touch ${prefix}.vcf.gz.tbi

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        oncogen: \$(oncogen --version | sed 's/^oncogen, version //')
    END_VERSIONS
    """
}
